// What a queue's durable group sees of a consumer: how many messages it takes now and what it
// does with one. The engine builds one per pending receive, peek, AckAll, stream-v1 receive,
// downstream Get and open transaction.
import type { StoredMessage } from '../messages.js';

/** Anything that takes messages from a queue: a pending receive, a Get, a capturing transaction. */
export interface Consumer {
  /** How many more messages it takes right now. */
  room(): number;
  /** The message is now the consumer's: acked already (`acksOnArrival`) or held in flight. */
  take(m: StoredMessage): void;
  /** A message was dropped as expired while this consumer was being served. */
  expired?(m: StoredMessage): void;
  /**
   * True for simple receive and AckAll: the broker acks each message as it arrives, before any
   * reply, so it is gone even if the reply never leaves. Otherwise the message stays held
   * (unacked) until the consumer settles it or hands it back.
   */
  readonly acksOnArrival?: boolean;
  /** Messages it holds unacked (stan's pending acks): the broker serves the member holding fewest. Default 0. */
  outstanding?(): number;
  /**
   * True for a downstream Get and its open transaction: messages are taken as they are, without
   * the policy; the Get runs the policy over what it collected (so expired messages count toward
   * MaxItems), and a transaction never looks at what it captures.
   */
  readonly raw?: boolean;
}
