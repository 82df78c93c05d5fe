// The state of one queue: its waiting, held and stranded messages, its durable queue group (the
// consumers, and the shadow of the last one to leave), its counters, and the log that keeps it (§2.4).
import type { QueueInfo } from '../../generated/kubemq.js';
import { Ring } from '../ring.js';
import type { Member } from './group/member.js';
import { QueueGroup } from './group/queue-group.js';
import { StrandedConsumer } from './group/stranded.js';
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
   * Messages held by a consumer when the broker was killed, and those a stranded subscription
   * took since (group/stranded.ts): never delivered again, still stored (counted by QueuesInfo)
   * until retention removes them.
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
  /** The last subscription id given to a Get's member. */
  private lastSubscription = 0;
  pumping = false;

  constructor(
    readonly name: string,
    readonly log: QueueLog,
  ) {}

  /** Messages not settled yet: waiting, held, in the group's shadow, stranded. */
  get liveCount(): number {
    return this.ready.size + this.inflight.size + this.group.shadowSize + this.stranded.size;
  }

  /** `by` now holds `m` unacked; a Hold record unless it was recorded with that holder already. */
  hold(m: StoredMessage, by: Member): void {
    if (!this.inflight.has(m.seq)) this.inflight.set(m.seq, m);
    this.log.held(m.seq, by.subscription?.id ?? 0);
  }

  /** A Get's member: its subscription is recorded, so a kill or a stop that strands it rebuilds it. */
  subscribe(member: Member, maxInflight: number): void {
    member.subscription = { id: ++this.lastSubscription, maxInflight };
    this.log.joined(member.subscription);
  }

  /** Takes over what replay found in the log (on a fresh queue). */
  restore(r: ReplayedQueue): void {
    this.index = r.index;
    this.lastSeq = r.lastSeq;
    this.lastSent = r.lastSent;
    this.subscribed = r.subscribed;
    this.lastSubscription = r.lastSubscription;
    for (const m of r.waiting) this.ready.push(m);
    for (const m of r.returned) this.group.keepInShadow(m);
    for (const m of r.stranded) this.stranded.set(m.seq, m);
    for (const s of r.subscriptions) {
      const consumer = new StrandedConsumer(s.maxInflight, (m) => {
        this.inflight.delete(m.seq);
        this.stranded.set(m.seq, m);
      });
      for (const m of s.held) consumer.holding.add(m.seq);
      this.group.join(consumer).subscription = { id: s.id, maxInflight: s.maxInflight };
    }
  }

  /**
   * At startup, a stranded subscription no longer holds what retention removed (stan acks a
   * pending message its redelivery at startup no longer finds): that much room again.
   */
  releaseRemoved(): void {
    const first = this.index.firstSeq;
    for (const m of this.group.members) {
      if (!(m.consumer instanceof StrandedConsumer)) continue;
      for (const seq of m.consumer.holding) if (seq < first) m.consumer.holding.delete(seq);
    }
  }

  /** What a compaction of the log keeps. */
  snapshot(): QueueSnapshot {
    return {
      live: [...this.ready.values(), ...this.inflight.values(), ...this.group.shadowMessages(), ...this.stranded.values()],
      held: [...this.inflight.keys(), ...this.stranded.keys()],
      subscriptions: this.group.members.flatMap((m) => (m.subscription ? [m.subscription] : [])),
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
