// The server hands events, requests and responses to their receivers through NATS subscriptions
// that keep NATS's default pending limits (broker-behaviour.md §5.4): a message whose data is over
// 64 MiB is dropped by the receiving client without a word, though its publish succeeded. So an
// event that large answers Sent:true and reaches nobody, and a request or response that large ends
// in the requester's timeout.

/** NATS's default pending-bytes limit per subscription. */
export const NATS_PENDING_BYTES_LIMIT = 64 * 1024 * 1024;

/** What a message adds beyond its body and strings (field tags, lengths, numbers), at most. */
const OVERHEAD = 128;

/**
 * Whether a message reaches a NATS subscriber. The body and strings give an upper bound of its
 * encoded size (3 bytes of UTF-8 at most per UTF-16 unit); only a message near the limit is encoded
 * (`encodedSize`) to settle it.
 */
export function natsDeliverable(
  msg: { Body: Uint8Array; Metadata: string; Tags: Record<string, string> },
  channel: string,
  encodedSize: () => number,
): boolean {
  let text = msg.Metadata.length + channel.length + 64; // ids and the reply inbox
  for (const key in msg.Tags) text += key.length + (msg.Tags[key] as string).length + 12;
  if (OVERHEAD + msg.Body.byteLength + 3 * text <= NATS_PENDING_BYTES_LIMIT) return true;
  return encodedSize() <= NATS_PENDING_BYTES_LIMIT;
}
