// One member of a queue's durable group: a consumer, plus the messages stan put on its
// subscription that the consumer itself never took (server/stan/server/server.go, acksPending).
import type { StoredMessage } from '../messages.js';
import type { Consumer } from './consumer.js';

/**
 * A subscription the log keeps (a downstream Get's, going on as its transaction's): the server
 * recovers it after a kill, or a stop that strands it, as a member of the group.
 */
export interface Subscription {
  readonly id: number;
  /** stan's MaxInflight: the Get's MaxItems. */
  readonly maxInflight: number;
}

export class Member {
  /**
   * Handed over by a member that left holding them (stan subStore.Remove): unacked on this
   * member, hidden from everyone, until the hand-over timer redelivers them (redelivery.ts).
   */
  readonly handedOver = new Map<number, StoredMessage>();
  /**
   * Pushed to it past its room by a forced delivery, which its consumer did not take (a Get that
   * has its MaxItems, a stream-v1 receive that has its message): held unacked, hidden, until the
   * member leaves.
   */
  readonly overflow = new Map<number, StoredMessage>();

  /** Set for a Get's member (see {@link Subscription}); undefined for the others. */
  subscription: Subscription | undefined;

  /** The consumer changes when an open transaction goes on with its Get's subscription. */
  constructor(public consumer: Consumer) {}

  /** stan's MaxInflight counts every unacked message of the subscription, these included. */
  room(): number {
    return this.consumer.room() - this.handedOver.size - this.overflow.size;
  }

  /** stan's pending acks: what the consumer holds, and these. */
  outstanding(): number {
    return (this.consumer.outstanding?.() ?? 0) + this.handedOver.size + this.overflow.size;
  }

  /** Handed-over messages in sequence order (the order stan redelivers them in). */
  handedOverInOrder(): StoredMessage[] {
    return [...this.handedOver.values()].sort(bySeq);
  }

  /** Empties both: what the member still holds for the group when it leaves. */
  drain(): StoredMessage[] {
    const all = [...this.handedOver.values(), ...this.overflow.values()];
    this.handedOver.clear();
    this.overflow.clear();
    return all;
  }
}

export function bySeq(a: StoredMessage, b: StoredMessage): number {
  return a.seq - b.seq;
}
