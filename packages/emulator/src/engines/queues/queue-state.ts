// The state of one queue: its waiting, held and stranded messages, the members of its durable
// queue group (the consumers), its counters, and the log that keeps it (§2.4).
import type { QueueInfo } from '../../generated/kubemq.js';
import type { StoredMessage } from './messages.js';
import type { QueueLog, QueueSnapshot, ReplayedQueue } from './queue-log.js';
import { ReadyQueue } from './ready-queue.js';
import { StoredIndex } from './stored-index.js';
import { metricsQueueName } from './subjects.js';

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

export class QueueState {
  readonly ready = new ReadyQueue<StoredMessage>();
  readonly inflight = new Map<number, StoredMessage>();
  /**
   * Messages held by a consumer when the broker was killed: never delivered again, still stored
   * (counted by QueuesInfo) until retention removes them.
   */
  readonly stranded = new Map<number, StoredMessage>();
  /**
   * The members of the queue's durable queue group, in join order: pending receives, peeks,
   * AckAlls, stream-v1 receives and Gets, and open transactions that keep capturing (§2.4).
   */
  private readonly members: Consumer[] = [];
  /** Every stored message (acked ones too) until retention: Messages, Bytes, FirstSequence. */
  index = new StoredIndex();
  lastSeq = 0;
  /** Highest sequence ever handed to a consumer (the durable group's LastSent). */
  lastSent = 0;
  /** Whether the durable queue group exists (anyone ever consumed). */
  subscribed = false;
  pumping = false;

  constructor(
    readonly name: string,
    readonly log: QueueLog,
  ) {}

  get activeConsumers(): number {
    return this.members.length;
  }

  /** Messages not settled yet: waiting, held, stranded. */
  get liveCount(): number {
    return this.ready.size + this.inflight.size + this.stranded.size;
  }

  join(c: Consumer): void {
    this.members.push(c);
  }

  leave(c: Consumer): void {
    const i = this.members.indexOf(c);
    if (i >= 0) this.members.splice(i, 1);
  }

  /** `next` takes `prev`'s place (the same subscription, another role), or joins at the end. */
  replace(prev: Consumer, next: Consumer): void {
    const i = this.members.indexOf(prev);
    if (i >= 0) this.members[i] = next;
    else this.members.push(next);
  }

  hasRoom(): boolean {
    for (const c of this.members) if (c.room() > 0) return true;
    return false;
  }

  /**
   * The member the next message goes to, as stan's queue group picks it: among those with room,
   * the one holding the fewest unacked messages, the earliest on a tie; when that is the first
   * member, it moves to the end (so ties take turns).
   */
  pick(): Consumer | undefined {
    let best = -1;
    let fewest = Infinity;
    for (let i = 0; i < this.members.length; i++) {
      const c = this.members[i] as Consumer;
      if (c.room() <= 0) continue;
      const held = c.outstanding?.() ?? 0;
      if (held < fewest) {
        best = i;
        fewest = held;
        if (held === 0) break; // nobody holds fewer, and the earliest wins a tie
      }
    }
    if (best < 0) return undefined;
    const chosen = this.members[best] as Consumer;
    if (best === 0 && this.members.length > 1) {
      this.members.shift();
      this.members.push(chosen);
    }
    return chosen;
  }

  /** Takes over what replay found in the log (on a fresh queue). */
  restore(r: ReplayedQueue): void {
    this.index = r.index;
    this.lastSeq = r.lastSeq;
    this.lastSent = r.lastSent;
    this.subscribed = r.subscribed;
    for (const m of r.waiting) this.ready.pushNew(m);
    for (const m of r.stranded) this.stranded.set(m.seq, m);
  }

  /** What a compaction of the log keeps. */
  snapshot(): QueueSnapshot {
    return {
      live: [...this.ready.values(), ...this.inflight.values(), ...this.stranded.values()],
      held: [...this.inflight.keys(), ...this.stranded.keys()],
      index: this.index,
      lastSeq: this.lastSeq,
      lastSent: this.lastSent,
      subscribed: this.subscribed,
    };
  }

  /**
   * The queue as QueuesInfo lists it (§2.4, services/broker/metrics.go), under its cutset-trimmed
   * name; undefined when it has no stored messages (only those are listed).
   */
  info(): QueueInfo | undefined {
    const { lastSeq, lastSent, subscribed } = this;
    const firstSeq = this.index.firstSeq;
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
      info.Subscribers = BigInt(Math.max(1, this.activeConsumers));
      info.Delivered = BigInt(lastSent >= firstSeq ? lastSent - firstSeq + 1 : 0);
      info.Waiting = BigInt(this.inflight.size + this.stranded.size + lastSeq - lastSent);
    }
    return info;
  }
}
