// The state of one queue: its waiting, held and stranded messages, its durable queue group (the
// consumers, and the shadow of the last one to leave), its counters, and the log that keeps it (§2.4).
import type { QueueInfo } from '../../generated/kubemq.js';
import { Ring } from '../ring.js';
import { QueueGroup } from './group/queue-group.js';
import type { StoredMessage } from './messages.js';
import type { QueueLog, QueueSnapshot, ReplayedQueue } from './queue-log.js';
import { StoredIndex } from './stored-index.js';
import { metricsQueueName } from './subjects.js';

export class QueueState {
  /**
   * Messages never delivered yet, in sequence order. A delivered message never comes back here:
   * until it is acked it stays with a member of the group or in its shadow (group/redelivery.ts).
   */
  readonly ready = new Ring<StoredMessage>();
  /** Messages held unacked by a member of the group (its consumer's, handed over, or overflow). */
  readonly inflight = new Map<number, StoredMessage>();
  /**
   * Messages held by a consumer when the broker was killed: never delivered again, still stored
   * (counted by QueuesInfo) until retention removes them.
   */
  readonly stranded = new Map<number, StoredMessage>();
  /**
   * The queue's durable queue group: pending receives, peeks, AckAlls, stream-v1 receives and
   * Gets, and open transactions that keep capturing (§2.4).
   */
  readonly group = new QueueGroup();
  /** Every stored message (acked ones too) until retention: Messages, Bytes, FirstSequence. */
  index = new StoredIndex();
  lastSeq = 0;
  /** Highest sequence ever handed to a consumer (the durable group's LastSent). */
  lastSent = 0;
  /** Whether the durable queue group exists (anyone ever consumed): the queue is listed from then on. */
  subscribed = false;
  pumping = false;

  constructor(
    readonly name: string,
    readonly log: QueueLog,
  ) {}

  /** Messages not settled yet: waiting, held, in the group's shadow, stranded. */
  get liveCount(): number {
    return this.ready.size + this.inflight.size + this.group.shadowSize + this.stranded.size;
  }

  /** A member now holds `m` unacked; a Hold record unless it was held already. */
  hold(m: StoredMessage): void {
    if (this.inflight.has(m.seq)) return;
    this.inflight.set(m.seq, m);
    this.log.held(m.seq);
  }

  /** Takes over what replay found in the log (on a fresh queue). */
  restore(r: ReplayedQueue): void {
    this.index = r.index;
    this.lastSeq = r.lastSeq;
    this.lastSent = r.lastSent;
    this.subscribed = r.subscribed;
    for (const m of r.waiting) this.ready.push(m);
    for (const m of r.returned) this.group.keepInShadow(m);
    for (const m of r.stranded) this.stranded.set(m.seq, m);
  }

  /** What a compaction of the log keeps. */
  snapshot(): QueueSnapshot {
    return {
      live: [...this.ready.values(), ...this.inflight.values(), ...this.group.shadowMessages(), ...this.stranded.values()],
      held: [...this.inflight.keys(), ...this.stranded.keys()],
      returned: this.group.shadowSeqs(),
      index: this.index,
      lastSeq: this.lastSeq,
      lastSent: this.lastSent,
      subscribed: this.subscribed,
    };
  }

  /**
   * The queue as QueuesInfo lists it (§2.4, services/broker/metrics.go), under its cutset-trimmed
   * name; undefined when the server has no listing for it. Stan's store reports FirstSequence =
   * LastSequence = 0 until its first message, so a queue only consumed from (its first consumer
   * created the channel) passes `first <= last` and is listed with Sent 1.
   */
  info(): QueueInfo | undefined {
    const { lastSeq, lastSent, subscribed } = this;
    const neverStored = lastSeq === 0;
    if (neverStored && !subscribed) return undefined; // no channel on the server
    const firstSeq = neverStored ? 0 : this.index.firstSeq;
    if (lastSeq < firstSeq) return undefined;
    const sent = lastSeq - firstSeq + 1;
    const info: QueueInfo = {
      Name: metricsQueueName(this.name),
      Messages: BigInt(this.index.count),
      Bytes: BigInt(this.index.bytes),
      FirstSequence: BigInt(firstSeq),
      LastSequence: BigInt(lastSeq),
      Sent: BigInt(sent),
      Delivered: 0n,
      Waiting: BigInt(sent),
      Subscribers: 0n,
    };
    if (subscribed) {
      const subscribers = Math.max(1, this.group.size);
      info.Subscribers = BigInt(subscribers);
      // Calc adds LastSent - FirstSequence + 1 per subscription with LastSent >= FirstSequence:
      // with nothing ever stored, every subscription's LastSent is 0, so each adds 1.
      if (neverStored) info.Delivered = BigInt(subscribers);
      else info.Delivered = BigInt(lastSent >= firstSeq ? lastSent - firstSeq + 1 : 0);
      info.Waiting = BigInt(this.inflight.size + this.group.shadowSize + this.stranded.size + lastSeq - lastSent);
    }
    return info;
  }
}
