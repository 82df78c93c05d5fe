// A QueuesDownstream transaction (§2.4, pkg/client/queue_downstream.go): the messages of one
// Get, held in flight until settled or closed. There is no server visibility timeout.
//
// On the server a Get is a stan subscription with MaxInflight = MaxItems that lives as long as
// the transaction. After the Get answered, it keeps receiving messages while it holds fewer than
// MaxItems unacked (its own unsettled ones plus those it captured): captured messages are hidden
// from everyone, are not the transaction's (not listed, not settled by AckAll or a range), and go
// back, count unchanged, when the transaction closes: its subscription leaves the queue's group
// holding them (group/redelivery.ts).
import type { QueueMessage } from '../../generated/kubemq.js';
import { delivered, type SendOutcome, type SendRefusal, type StoredMessage } from './messages.js';
import type { Consumer } from './group/consumer.js';

/**
 * What a transaction needs from the queue engine, and nothing more: settling its messages,
 * re-sending copies, and its place among the queue's consumers.
 */
export interface TransactionHost {
  /** Acks in-flight messages for good. */
  ack(channel: string, msgs: readonly StoredMessage[]): void;
  /** Negative settle: a copy at the tail with count + 1, or the dead-letter queue. */
  nack(channel: string, msgs: readonly StoredMessage[]): void;
  /** The full send path (validation, then publish). */
  send(msg: QueueMessage): SendOutcome;
  /** The transaction's subscription takes the place of the Get that opened it. */
  addCapturer(channel: string, c: Consumer, inPlaceOf: Consumer): void;
  /** The transaction closed: its subscription leaves the queue's group holding `holding`, unacked. */
  removeCapturer(channel: string, c: Consumer, holding: readonly StoredMessage[]): void;
  /** A consumer of the queue has more room now. */
  wake(channel: string): void;
}

/** Why a settle request failed; the service turns it into the server's text for that request. */
export type TransactionError =
  | { code: 'closed' }
  | { code: 'empty-list' }
  | { code: 'empty-channel' }
  | { code: 'invalid-sequence'; seq: bigint }
  | { code: 'requeue-failed'; seq: number; refusal: SendRefusal };

export class DownstreamTransaction {
  /** The Get's messages, as the client saw them. */
  readonly messages: QueueMessage[];
  /** The Get's own messages not settled yet: the only ones ActiveOffsets, AckAll and ranges see. */
  private readonly held = new Map<number, StoredMessage>();
  /** Messages taken after the Get answered ([seen]: not listed, not acked by AckAll, returned on close). */
  private readonly captured = new Map<number, StoredMessage>();
  private capturer: Consumer | undefined;
  private closedFlag = false;

  constructor(
    private readonly host: TransactionHost,
    readonly channel: string,
    readonly id: string,
    messages: readonly StoredMessage[],
    /** The Get's MaxItems: the subscription's MaxInflight. */
    private readonly maxItems: number,
  ) {
    this.messages = messages.map(delivered);
    for (const m of messages) this.held.set(m.seq, m);
  }

  /**
   * The Get answered and left its transaction open: from now on its subscription (`getConsumer`
   * until now) captures what arrives while it has room.
   */
  startCapturing(getConsumer: Consumer): void {
    if (this.closedFlag || this.capturer) return;
    const holding = (): number => this.held.size + this.captured.size;
    this.capturer = {
      raw: true,
      outstanding: holding,
      room: () => (this.closedFlag ? 0 : this.maxItems - holding()),
      take: (m) => void this.captured.set(m.seq, m),
    };
    this.host.addCapturer(this.channel, this.capturer, getConsumer);
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** AutoAck, or a Get with nothing: settled at once, the transaction is born closed. */
  settleAndClose(): void {
    this.host.ack(this.channel, [...this.held.values()]);
    this.held.clear();
    this.close();
  }

  ackAll(): TransactionError | undefined {
    if (this.closedFlag) return { code: 'closed' };
    this.host.ack(this.channel, this.heldInMapOrder());
    this.held.clear();
    this.close();
    return undefined;
  }

  /** Items before an unknown sequence are already applied when it fails (§2.4). */
  ackRange(seqs: readonly bigint[]): TransactionError | undefined {
    if (this.closedFlag) return { code: 'closed' };
    if (seqs.length === 0) return { code: 'empty-list' };
    return this.settleRange(seqs, (named) => void this.host.ack(this.channel, this.release(named)));
  }

  nackAll(): TransactionError | undefined {
    if (this.closedFlag) return { code: 'closed' };
    this.host.nack(this.channel, this.heldInMapOrder());
    this.held.clear();
    this.close();
    return undefined;
  }

  nackRange(seqs: readonly bigint[]): TransactionError | undefined {
    if (this.closedFlag) return { code: 'closed' };
    if (seqs.length === 0) return { code: 'empty-list' };
    return this.settleRange(seqs, (named) => void this.host.nack(this.channel, this.release(named)));
  }

  /** Re-sent through the normal send path to `channel`: ReRouted is lost, expiration restarts (§2.4). */
  requeueAll(channel: string): TransactionError | undefined {
    if (this.closedFlag) return { code: 'closed' };
    if (channel === '') return { code: 'empty-channel' };
    for (const m of this.heldInMapOrder()) {
      const err = this.requeueOne(m, channel);
      if (err) {
        this.host.wake(this.channel);
        return err;
      }
    }
    this.close();
    return undefined;
  }

  requeueRange(seqs: readonly bigint[], channel: string): TransactionError | undefined {
    if (this.closedFlag) return { code: 'closed' };
    if (channel === '') return { code: 'empty-channel' };
    if (seqs.length === 0) return { code: 'empty-list' };
    return this.settleRange(seqs, (named) => {
      for (const m of named) {
        const err = this.requeueOne(m, channel);
        if (err) return err;
      }
      return undefined;
    });
  }

  activeOffsets(): bigint[] | TransactionError {
    if (this.closedFlag) return { code: 'closed' };
    return this.heldInMapOrder().map((m) => BigInt(m.seq));
  }

  /**
   * CloseByClient, the end of the stream: the subscription leaves, and its unsettled and captured
   * messages go back, count unchanged (§2.4). A transaction that never captured was settled
   * before it closed, so it holds nothing.
   */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    const back = [...this.held.values(), ...this.captured.values()];
    this.held.clear();
    this.captured.clear();
    if (this.capturer) this.host.removeCapturer(this.channel, this.capturer, back);
  }

  /** Takes settled messages out of the transaction. */
  private release(named: StoredMessage[]): StoredMessage[] {
    for (const m of named) this.held.delete(m.seq);
    return named;
  }

  private requeueOne(m: StoredMessage, channel: string): TransactionError | undefined {
    const copy: QueueMessage = { ...m.msg, Channel: channel, Tags: { ...m.msg.Tags }, Attributes: undefined, Policy: m.msg.Policy ? { ...m.msg.Policy } : undefined };
    const result = this.host.send(copy);
    if (!result.stored) return { code: 'requeue-failed', seq: m.seq, refusal: result.refusal };
    this.held.delete(m.seq);
    this.host.ack(this.channel, [m]);
    return undefined;
  }

  /**
   * Settles the Get's own messages named by a range, as the server does one by one: those before
   * the first unknown sequence (captured ones and repeats included) are settled, in one call so an
   * ack or nack is one log record; a requeue stops at its first failed re-send. Closes the
   * transaction once none of its own messages is left; otherwise the settled ones free room for
   * capturing.
   */
  private settleRange(seqs: readonly bigint[], settle: (named: StoredMessage[]) => TransactionError | undefined): TransactionError | undefined {
    const named: StoredMessage[] = [];
    const seen = new Set<number>();
    let unknown: TransactionError | undefined;
    for (const s of seqs) {
      const seq = Number(s);
      const m = seen.has(seq) ? undefined : this.held.get(seq);
      if (!m) {
        unknown = { code: 'invalid-sequence', seq: s };
        break;
      }
      seen.add(seq);
      named.push(m);
    }
    const err = (named.length > 0 ? settle(named) : undefined) ?? unknown;
    if (err) {
      this.host.wake(this.channel);
      return err;
    }
    if (this.held.size === 0) this.close();
    else this.host.wake(this.channel);
    return undefined;
  }

  /**
   * The held messages in a new random order on every call: the server keeps them in a Go map, and
   * its whole-transaction settlements and ActiveOffsets walk that map, whose order Go randomises on
   * every walk. So nacked copies reach the tail, and requeued ones their target, in any order.
   */
  private heldInMapOrder(): StoredMessage[] {
    const order = [...this.held.values()];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order;
  }
}
