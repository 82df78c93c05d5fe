// What the queue engine keeps of a message and what it answers about one: the stored message,
// the copy a consumer sees, and the typed outcome of a send (the service words it).
import type { QueueMessage, QueueMessageAttributes } from '../../generated/kubemq.js';

/** One stored, unsettled message. `msg.Attributes` holds the stored values (ReceiveCount as stored). */
export interface StoredMessage {
  readonly seq: number;
  readonly msg: QueueMessage;
}

/** Why a message was not stored. */
export type SendRefusal =
  /** Stan refuses the channel as a subject (§3 "Channel names"). */
  | { readonly reason: 'invalid-subject' }
  /** Newer stan refuses `channel`: it differs only in case from the queue `existing` (§2.4). */
  | { readonly reason: 'channel-case'; readonly channel: string; readonly existing: string }
  /** The send path's validation failed; `error` is the validator's own answer, passed through. */
  | { readonly reason: 'invalid-message'; readonly error: string };

/** What became of one message the engine was asked to store. Times are Unix nanoseconds. */
export type SendOutcome =
  | { readonly stored: true; readonly sentAt: bigint; readonly expirationAt: bigint; readonly delayedTo: bigint }
  | { readonly stored: false; readonly refusal: SendRefusal };

/** The message as a consumer sees it: the stored count + 1 (§2.4). */
export function delivered(m: StoredMessage): QueueMessage {
  const attrs = m.msg.Attributes as QueueMessageAttributes;
  return { ...m.msg, Attributes: { ...attrs, ReceiveCount: attrs.ReceiveCount + 1 } };
}

/**
 * Bytes a stored message counts for in QueuesInfo: its payload fields plus a fixed overhead
 * for the attributes. (Stan counts its own framing; nobody can match that byte for byte.)
 */
export function messageSize(m: QueueMessage): number {
  let tags = 0;
  for (const k in m.Tags) tags += k.length + (m.Tags[k] as string).length + 4;
  return m.Body.length + m.Metadata.length + m.MessageID.length + m.ClientID.length + m.Channel.length + tags + 64;
}
