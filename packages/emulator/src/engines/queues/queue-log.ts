// The queue log: what a queue writes to the store (the records of records.ts), how replay
// rebuilds the queue after a restart, and when the log is rewritten (compacted). One log per
// queue, `queue/<channel>`.
import type { QueueMessage } from '../../generated/kubemq.js';
import type { RecordLog, Store } from '../../store/store.js';
import { messageSize, type StoredMessage } from './messages.js';
import { RecordKind, decodeRecord, encodeAck, encodeHold, encodeJoined, encodeLeft, encodeMessage, encodeMeta, encodeRelease, encodeSubscribed } from './records.js';
import type { Subscription } from './group/member.js';
import { StoredIndex } from './stored-index.js';
import { pushTo } from '../list-map.js';

const QUEUE_LOG_PREFIX = 'queue/';
const NS_PER_MS = 1_000_000n;
/** Appends with more records than this are split (spread arguments have a limit). */
const APPEND_CHUNK = 8192;
/** Compact a log once this many settled messages sit in it and they outnumber the live ones 2:1. */
const COMPACT_MIN_SETTLED = 20_000;

/** Whether a log with `settled` settled and `live` live messages in it is worth rewriting. */
export function shouldCompact(settled: number, live: number): boolean {
  return settled >= COMPACT_MIN_SETTLED && settled > 2 * live;
}

/**
 * Whether records are written now: only to a durable store (or when the engine is told to), and
 * not after a graceful close, which leaves the logs as it wrote them.
 */
export interface LogSwitch {
  readonly writing: boolean;
}

/** The queues that have a log in the store. */
export function loggedQueues(store: Store): string[] {
  return store
    .names()
    .filter((n) => n.startsWith(QUEUE_LOG_PREFIX))
    .map((n) => n.slice(QUEUE_LOG_PREFIX.length));
}

/** Appends records, in chunks the spread arguments allow. */
export function appendAll(log: RecordLog, records: Uint8Array[]): void {
  if (records.length <= APPEND_CHUNK) {
    log.append(...records);
    return;
  }
  for (let i = 0; i < records.length; i += APPEND_CHUNK) log.append(...records.slice(i, i + APPEND_CHUNK));
}

/** What a compaction keeps of a queue. */
export interface QueueSnapshot {
  /** Every unsettled message: waiting, held by a member, in the group's shadow, stranded. */
  live: StoredMessage[];
  /** Sequences held by a member or stranded: they keep a Hold record (with their holder's subscription). */
  held: number[];
  /** The subscriptions still in the group (live Gets and transactions, stranded ones): they keep a Joined record. */
  subscriptions: Subscription[];
  /** Sequences in the group's shadow: they keep a Release record. */
  returned: number[];
  index: StoredIndex;
  lastSeq: number;
  lastSent: number;
  subscribed: boolean;
}

/** A queue as its log left it. */
export interface ReplayedQueue {
  index: StoredIndex;
  lastSeq: number;
  lastSent: number;
  subscribed: boolean;
  /** Unsettled messages never delivered, in sequence order. */
  waiting: StoredMessage[];
  /**
   * Held, then handed back with no member left to take them (or at a graceful stop): the durable
   * group's shadow keeps them for the next member, as stan recovers it.
   */
  returned: StoredMessage[];
  /** Held when the broker was killed, never released nor acked: never delivered again. */
  stranded: StoredMessage[];
  /**
   * Subscriptions that joined and never left, in join order, with what each held (among
   * `stranded`): the server recovers them as members (group/stranded.ts).
   */
  subscriptions: Array<Subscription & { held: StoredMessage[] }>;
  /** The highest subscription id in the log. */
  lastSubscription: number;
}

/**
 * One queue's log. Every accepted message and every settle is appended before the caller
 * answers. Messages a consumer takes without acking them get a Hold record (one per pump,
 * written before any record that settles them) and a Release record when the last member of the
 * group leaves holding them (they go to its shadow). The queue's first consumer writes a
 * Subscribed record, so a queue that never stored a message is still there after a restart.
 */
export class QueueLog {
  private handle: RecordLog | undefined;
  /** Sequences taken by holding consumers whose Hold record is not written yet, by holder's subscription (0: none). */
  private pendingHolds = new Map<number, number[]>();
  /** The subscription each held sequence was last recorded with (0: none), while records are written. */
  private readonly holders = new Map<number, number>();
  private settledInLog = 0;

  constructor(
    private readonly name: string,
    private readonly store: Store,
    private readonly logSwitch: LogSwitch,
  ) {}

  private get log(): RecordLog {
    this.handle ??= this.store.log(QUEUE_LOG_PREFIX + this.name);
    return this.handle;
  }

  /** Newly stored messages, in one append. */
  stored(msgs: readonly QueueMessage[]): void {
    if (!this.logSwitch.writing || msgs.length === 0) return;
    appendAll(this.log, msgs.map((m) => encodeMessage(m)));
  }

  /** The queue's first consumer came: the queue exists for good, stored messages or not. */
  subscribed(): void {
    if (this.logSwitch.writing) this.log.append(encodeSubscribed());
  }

  /**
   * A member (of subscription `sub`, 0 for none) holds this message; a Hold record goes out with
   * the next flush unless the message was recorded with that holder already.
   */
  held(seq: number, sub: number): void {
    if (!this.logSwitch.writing || this.holders.get(seq) === sub) return;
    this.holders.set(seq, sub);
    pushTo(this.pendingHolds, sub, seq);
  }

  /** Writes the Hold records of the messages taken since the last ones, one per holder. */
  flushHolds(): void {
    if (this.pendingHolds.size === 0) return;
    const pending = this.pendingHolds;
    this.pendingHolds = new Map();
    if (this.logSwitch.writing) appendAll(this.log, [...pending].map(([sub, seqs]) => encodeHold(seqs, sub)));
  }

  /** A Get's subscription joined the group. */
  joined(s: Subscription): void {
    if (this.logSwitch.writing) this.log.append(encodeJoined(s.id, s.maxInflight));
  }

  /** That subscription left the group. */
  left(sub: number): void {
    if (this.logSwitch.writing) this.log.append(encodeLeft(sub));
  }

  /** A held message is gone without a record (removed by retention). */
  forget(seq: number): void {
    this.holders.delete(seq);
  }

  /** Messages settled for good (acked, expired, dead-lettered). */
  acked(seqs: readonly number[]): void {
    if (!this.logSwitch.writing) return;
    this.flushHolds();
    for (const seq of seqs) this.holders.delete(seq);
    this.log.append(encodeAck(seqs));
  }

  /** A negative settle: the copies stored at the tail and the originals acked, in one append. */
  requeued(copies: readonly QueueMessage[], seqs: readonly number[]): void {
    if (!this.logSwitch.writing) return;
    this.flushHolds();
    for (const seq of seqs) this.holders.delete(seq);
    const records = copies.map((m) => encodeMessage(m));
    records.push(encodeAck(seqs));
    appendAll(this.log, records);
  }

  /** Held messages handed back unsettled to the group's shadow. */
  released(seqs: readonly number[]): void {
    if (!this.logSwitch.writing || seqs.length === 0) return;
    this.flushHolds();
    for (const seq of seqs) this.holders.delete(seq);
    this.log.append(encodeRelease(seqs));
  }

  /** Counts `n` more settled messages; true once rewriting the log would pay. */
  settled(n: number, live: number): boolean {
    if (!this.logSwitch.writing) return false;
    this.settledInLog += n;
    return shouldCompact(this.settledInLog, live);
  }

  /**
   * Rewrites the log with only the live messages and the counters: a meta record that keeps the
   * stored-message index (time and size per sequence), the messages, a Joined record for each
   * subscription still in the group, a Hold record per holder for the messages held or stranded,
   * so a kill after the rewrite still strands them (and rebuilds their subscriptions), and a
   * Release record for those in the group's shadow.
   */
  compact(s: QueueSnapshot): void {
    const live = [...s.live].sort((a, b) => a.seq - b.seq);
    const { ts, sizes } = s.index.entries();
    const records = [encodeMeta({ firstSeq: s.index.firstSeq, lastSeq: s.lastSeq, lastSent: s.lastSent, subscribed: s.subscribed, ts, sizes })];
    for (const m of live) records.push(encodeMessage(m.msg));
    for (const sub of s.subscriptions) records.push(encodeJoined(sub.id, sub.maxInflight));
    const byHolder = new Map<number, number[]>();
    for (const seq of s.held) pushTo(byHolder, this.holders.get(seq) ?? 0, seq);
    for (const [sub, seqs] of byHolder) records.push(encodeHold(seqs, sub));
    if (s.returned.length > 0) records.push(encodeRelease(s.returned));
    this.log.rewrite(records);
    this.pendingHolds = new Map();
    this.settledInLog = 0;
  }

  /** Counts a subscription that joined and left: its two records are dead weight for compaction. */
  subscriptionEnded(): void {
    if (this.logSwitch.writing) this.settledInLog += 2;
  }

  /**
   * Rebuilds the queue from its log. A message held and never released nor acked is stranded,
   * as on the server after a kill -9; one released last goes back to the group's shadow; one
   * never delivered waits. A subscription that joined and never left comes back with what it
   * was last recorded holding.
   */
  replay(): ReplayedQueue {
    const r: ReplayedQueue = {
      index: new StoredIndex(),
      lastSeq: 0,
      lastSent: 0,
      subscribed: false,
      waiting: [],
      returned: [],
      stranded: [],
      subscriptions: [],
      lastSubscription: 0,
    };
    const live = new Map<number, StoredMessage>();
    const held = new Set<number>();
    const released = new Set<number>();
    const holders = this.holders;
    holders.clear();
    /** Joined and not left, in join order. */
    const subs = new Map<number, Subscription>();
    // Messages stored after the last compaction, for the index (seq, ms, size).
    const later: Array<[number, number, number]> = [];
    let indexedUpTo = 0;
    for (const bytes of this.log.replay()) {
      const rec = decodeRecord(bytes);
      if (!rec) continue;
      if (rec.kind === RecordKind.Meta) {
        const m = rec.meta;
        r.index = new StoredIndex(m.firstSeq);
        for (let i = 0; i < m.ts.length; i++) r.index.push(m.ts[i] as number, m.sizes[i] as number);
        r.lastSeq = Math.max(r.lastSeq, m.lastSeq);
        r.lastSent = m.lastSent;
        r.subscribed ||= m.subscribed;
        indexedUpTo = m.lastSeq;
        later.length = 0;
      } else if (rec.kind === RecordKind.Subscribed) {
        r.subscribed = true;
      } else if (rec.kind === RecordKind.Message) {
        const attrs = rec.msg.Attributes;
        const seq = Number(attrs?.Sequence ?? 0n);
        if (seq <= 0) continue;
        live.set(seq, { seq, msg: rec.msg });
        if (seq > indexedUpTo) later.push([seq, Number((attrs?.Timestamp ?? 0n) / NS_PER_MS), messageSize(rec.msg)]);
        if (seq > r.lastSeq) r.lastSeq = seq;
      } else if (rec.kind === RecordKind.Ack) {
        for (const seq of rec.ids) {
          live.delete(seq);
          held.delete(seq);
          released.delete(seq);
          holders.delete(seq);
        }
        this.settledInLog += rec.ids.length;
      } else if (rec.kind === RecordKind.Hold) {
        for (const seq of rec.ids) {
          if (!live.has(seq)) continue;
          held.add(seq);
          released.delete(seq);
          holders.set(seq, rec.sub);
        }
        r.lastSubscription = Math.max(r.lastSubscription, rec.sub);
      } else if (rec.kind === RecordKind.Release) {
        for (const seq of rec.ids) {
          held.delete(seq);
          holders.delete(seq);
          if (live.has(seq)) released.add(seq);
        }
      } else if (rec.kind === RecordKind.Joined) {
        subs.set(rec.sub, { id: rec.sub, maxInflight: rec.maxInflight });
        r.lastSubscription = Math.max(r.lastSubscription, rec.sub);
      } else if (rec.kind === RecordKind.Left) {
        if (subs.delete(rec.sub)) this.settledInLog += 2;
      }
    }
    // A dead letter to its own queue can land in the log before the copy it came from.
    later.sort((a, b) => a[0] - b[0]);
    for (const [, ts, size] of later) r.index.push(ts, size);
    for (const m of [...live.values()].sort((a, b) => a.seq - b.seq)) {
      if (!held.has(m.seq) && !released.has(m.seq)) {
        r.waiting.push(m);
        continue;
      }
      // Delivered once, never acked: the durable queue group exists and counts it as waiting.
      (held.has(m.seq) ? r.stranded : r.returned).push(m);
      r.subscribed = true;
      if (m.seq > r.lastSent) r.lastSent = m.seq;
    }
    const bySub = new Map<number, StoredMessage[]>();
    for (const m of r.stranded) {
      const sub = holders.get(m.seq) ?? 0;
      if (!subs.has(sub)) continue; // its holder left (or was never recorded): stranded, held by nobody
      pushTo(bySub, sub, m);
    }
    for (const s of subs.values()) r.subscriptions.push({ ...s, held: bySub.get(s.id) ?? [] });
    if (subs.size > 0) r.subscribed = true;
    return r;
  }
}
