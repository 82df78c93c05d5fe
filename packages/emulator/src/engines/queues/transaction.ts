// A QueuesDownstream transaction (§2.4, pkg/client/queue_downstream.go): the messages of one
// Get, held in flight until settled or closed. There is no server visibility timeout.
import type { Consumer, QueueEngine, StoredMessage } from './engine.js';
import { delivered } from './engine.js';
import type { QueueMessage } from '../../generated/kubemq.js';

/** Why a settle request failed; the service turns it into the server's text for that request. */
export type TransactionError =
  | { code: 'closed' }
  | { code: 'empty-list' }
  | { code: 'empty-channel' }
  | { code: 'invalid-sequence'; seq: bigint }
  | { code: 'requeue-failed'; seq: number; error: string };

export class DownstreamTransaction {
  /** The Get's messages, as the client saw them. */
  readonly messages: QueueMessage[];
  private readonly held = new Map<number, StoredMessage>();
  /** §2.4 [seen]: messages taken after the Get returned; listed, not acked by AckAll, returned on close. */
  private readonly captured = new Map<number, StoredMessage>();
  private capturedTotal = 0;
  private capturer: Consumer | undefined;
  private closedFlag = false;

  constructor(
    private readonly engine: QueueEngine,
    readonly channel: string,
    readonly id: string,
    taken: readonly StoredMessage[],
    private readonly captureRoom: number,
  ) {
    this.messages = taken.map(delivered);
    for (const m of taken) this.held.set(m.seq, m);
    if (taken.length > 0 && captureRoom > 0) {
      this.capturer = {
        room: () => (this.closedFlag ? 0 : this.captureRoom - this.capturedTotal),
        take: (m) => {
          this.captured.set(m.seq, m);
          this.capturedTotal++;
        },
      };
      engine.addCapturer(channel, this.capturer);
    }
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** AutoAck, or a Get with nothing: settled at once, the transaction is born closed. */
  settleAndClose(): void {
    this.engine.ack(this.channel, [...this.held.values()]);
    this.held.clear();
    this.close();
  }

  ackAll(): TransactionError | undefined {
    if (this.closedFlag) return { code: 'closed' };
    this.engine.ack(this.channel, this.sortedHeld());
    this.held.clear();
    this.close();
    return undefined;
  }

  /** Items before an unknown sequence are already applied when it fails (§2.4). */
  ackRange(seqs: readonly bigint[]): TransactionError | undefined {
    if (this.closedFlag) return { code: 'closed' };
    if (seqs.length === 0) return { code: 'empty-list' };
    for (const s of seqs) {
      const m = this.take(s);
      if (!m) return { code: 'invalid-sequence', seq: s };
      this.engine.ack(this.channel, [m]);
    }
    this.closeIfDone();
    return undefined;
  }

  nackAll(): TransactionError | undefined {
    if (this.closedFlag) return { code: 'closed' };
    this.engine.nack(this.channel, this.sortedHeld());
    this.held.clear();
    this.close();
    return undefined;
  }

  nackRange(seqs: readonly bigint[]): TransactionError | undefined {
    if (this.closedFlag) return { code: 'closed' };
    if (seqs.length === 0) return { code: 'empty-list' };
    for (const s of seqs) {
      const m = this.take(s);
      if (!m) return { code: 'invalid-sequence', seq: s };
      this.engine.nack(this.channel, [m]);
    }
    this.closeIfDone();
    return undefined;
  }

  /** Re-sent through the normal send path to `channel`: ReRouted is lost, expiration restarts (§2.4). */
  requeueAll(channel: string): TransactionError | undefined {
    if (this.closedFlag) return { code: 'closed' };
    if (channel === '') return { code: 'empty-channel' };
    for (const m of this.sortedHeld()) {
      const err = this.requeueOne(m, channel);
      if (err) return err;
    }
    this.close();
    return undefined;
  }

  requeueRange(seqs: readonly bigint[], channel: string): TransactionError | undefined {
    if (this.closedFlag) return { code: 'closed' };
    if (channel === '') return { code: 'empty-channel' };
    if (seqs.length === 0) return { code: 'empty-list' };
    for (const s of seqs) {
      const m = this.lookup(s);
      if (!m) return { code: 'invalid-sequence', seq: s };
      const err = this.requeueOne(m, channel);
      if (err) return err;
    }
    this.closeIfDone();
    return undefined;
  }

  activeOffsets(): bigint[] | TransactionError {
    if (this.closedFlag) return { code: 'closed' };
    const seqs = [...this.held.keys(), ...this.captured.keys()].sort((a, b) => a - b);
    return seqs.map((s) => BigInt(s));
  }

  /** CloseByClient, the end of the stream: unsettled messages go back, count unchanged (§2.4). */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    if (this.capturer) this.engine.removeCapturer(this.channel, this.capturer);
    const back = [...this.held.values(), ...this.captured.values()];
    this.held.clear();
    this.captured.clear();
    this.engine.release(this.channel, back);
  }

  private requeueOne(m: StoredMessage, channel: string): TransactionError | undefined {
    const copy: QueueMessage = { ...m.msg, Channel: channel, Tags: { ...m.msg.Tags }, Attributes: undefined, Policy: m.msg.Policy ? { ...m.msg.Policy } : undefined };
    const result = this.engine.send(copy);
    if (result.IsError) return { code: 'requeue-failed', seq: m.seq, error: result.Error };
    this.held.delete(m.seq);
    this.captured.delete(m.seq);
    this.engine.ack(this.channel, [m]);
    return undefined;
  }

  private lookup(s: bigint): StoredMessage | undefined {
    const n = Number(s);
    return this.held.get(n) ?? this.captured.get(n);
  }

  private take(s: bigint): StoredMessage | undefined {
    const m = this.lookup(s);
    if (m) {
      this.held.delete(m.seq);
      this.captured.delete(m.seq);
    }
    return m;
  }

  private sortedHeld(): StoredMessage[] {
    return [...this.held.values()].sort((a, b) => a.seq - b.seq);
  }

  private closeIfDone(): void {
    if (this.held.size === 0 && this.captured.size === 0) this.close();
  }
}
