// The server hands events, requests and responses to their receivers through NATS subscriptions
// that keep NATS's default pending limits (broker-behaviour.md §5.4): a message whose data is over
// 64 MiB is dropped by the receiving client without a word, though its publish succeeded. So an
// event that large answers Sent:true and reaches nobody, and a request or response that large ends
// in the requester's timeout.

/** NATS's default pending-bytes limit per subscription. */
export const NATS_PENDING_BYTES_LIMIT = 64 * 1024 * 1024;

/** What a message adds beyond its strings and bytes (field tags, lengths, numbers), at most. */
const OVERHEAD = 128;

/**
 * Whether a message reaches a NATS subscriber. Its string, byte and tag fields give an upper bound
 * of its encoded size (3 bytes of UTF-8 at most per UTF-16 unit, 12 per tag entry for its framing);
 * only a message near the limit is encoded (`encodedSize`) to settle it.
 */
export function natsDeliverable(msg: object, encodedSize: () => number): boolean {
  let bytes = OVERHEAD;
  let text = 0;
  // for…in rather than Object.values/entries: no arrays on the hot path of every event.
  for (const field in msg) {
    const value = (msg as Record<string, unknown>)[field];
    if (typeof value === 'string') text += value.length;
    else if (value instanceof Uint8Array) bytes += value.byteLength + 6;
    else if (typeof value === 'object' && value !== null) {
      const tags = value as Record<string, unknown>;
      for (const key in tags) text += key.length + (typeof tags[key] === 'string' ? (tags[key] as string).length : 0) + 12;
    }
  }
  if (bytes + 3 * text <= NATS_PENDING_BYTES_LIMIT) return true;
  return encodedSize() <= NATS_PENDING_BYTES_LIMIT;
}
