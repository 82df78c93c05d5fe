// The queue engine: stored messages per queue, consumers that wait for them, settlement
// (ack, negative settle = copy at the tail, dead-letter), delay and expiration, and the
// persistence of all of it through the Store. No gRPC here; the service layer maps wire
// requests onto these calls (docs/broker-behaviour.md §2.4 is the reference for every rule).
import type { Clock, TimerHandle } from '../../clock.js';
import type { QueueLimits } from '../../config.js';
import type { QueueMessage, QueueMessageAttributes, QueuesInfo, QueueInfo, SendQueueMessageResult } from '../../generated/kubemq.js';
import type { EmulatorLogger } from '../../log.js';
import type { RecordLog, Store } from '../../store/store.js';
import { newNuid, newUuid } from './ids.js';
import { MinHeap, ReadyQueue } from './ready-queue.js';
import { RecordKind, decodeRecord, encodeAck, encodeHold, encodeMessage, encodeMeta, encodeRelease } from './records.js';
import { StoredIndex } from './stored-index.js';
import { isStanSubjectValid, metricsQueueName } from './subjects.js';
import { DownstreamTransaction } from './transaction.js';

const NS_PER_S = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;
/** How often retention runs (like the events store). */
const RETENTION_SWEEP_MS = 60_000;
const QUEUE_LOG_PREFIX = 'queue/';
const DELAY_LOG = 'queue-delay';
/** Appends with more records than this are split (spread arguments have a limit). */
const APPEND_CHUNK = 8192;
/** Compact a log once this many settled messages sit in it and they outnumber the live ones 2:1. */
const COMPACT_MIN_SETTLED = 20_000;

/** One stored, unsettled message. `msg.Attributes` holds the stored values (ReceiveCount as stored). */
export interface StoredMessage {
  readonly seq: number;
  readonly msg: QueueMessage;
}

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

/** What the policy does with a message about to be delivered. */
type Verdict = 'deliver' | 'expired' | 'dead-letter';

export interface QueueEngineDeps {
  store: Store;
  clock: Clock;
  limits: QueueLimits;
  log: EmulatorLogger;
  /** The send path's validation (§3 "Queue message"): an error text, or undefined when valid. */
  validate: (msg: QueueMessage) => string | undefined;
  /** Result text when stan refuses the subject (§3 "Channel names"). */
  invalidPublishText: string;
  /**
   * Write records to the store. Default: only when the store is durable (a memory store
   * loses everything at exit anyway, so encoding records for it would be wasted work).
   */
  persist?: boolean;
  /** Stored messages older than this are removed, consumed or not (STORE_MAX_RETENTION, §4); 0 = never. */
  retentionMs?: number;
}

export interface ReceiveOptions {
  max: number;
  waitMs: number;
  peek: boolean;
  signal?: AbortSignal;
}

export interface ReceiveOutcome {
  messages: QueueMessage[];
  expired: number;
}

export interface GetOptions {
  maxItems: number;
  waitMs: number;
  autoAck: boolean;
  signal?: AbortSignal;
}

class QueueState {
  private logHandle: RecordLog | undefined;
  readonly ready = new ReadyQueue<StoredMessage>();
  readonly inflight = new Map<number, StoredMessage>();
  /**
   * Messages held by a consumer when the broker was killed: never delivered again, still stored
   * (counted by QueuesInfo) until retention removes them.
   */
  readonly stranded = new Map<number, StoredMessage>();
  /** Sequences taken by holding consumers whose Hold record is not written yet (one append per pump). */
  pendingHolds: number[] = [];
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
  settledInLog = 0;
  pumping = false;

  constructor(
    readonly name: string,
    private readonly store: Store,
  ) {}

  get log(): RecordLog {
    this.logHandle ??= this.store.log(QUEUE_LOG_PREFIX + this.name);
    return this.logHandle;
  }

  get activeConsumers(): number {
    return this.members.length;
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
}

interface DelayedEntry {
  id: number;
  due: bigint;
  msg: QueueMessage;
}

export class QueueEngine {
  private readonly queues = new Map<string, QueueState>();
  private readonly delayed = new MinHeap<DelayedEntry>((a, b) => a.due < b.due || (a.due === b.due && a.id < b.id));
  private delayLogHandle: RecordLog | undefined;
  private nextDelayId = 1;
  private delaySettled = 0;
  private delayTimer: TimerHandle | undefined;
  private retentionTimer: TimerHandle | undefined;
  private closed = false;
  private readonly persist: boolean;
  private readonly clock: Clock;
  private readonly limits: QueueLimits;
  private readonly log: EmulatorLogger;

  constructor(private readonly deps: QueueEngineDeps) {
    this.clock = deps.clock;
    this.limits = deps.limits;
    this.log = deps.log;
    this.persist = deps.persist ?? deps.store.durable;
    this.replay();
    if (deps.retentionMs) {
      this.applyRetention();
      this.scheduleRetention();
    }
  }

  // ---------------------------------------------------------------- send path

  /**
   * Publishes messages that passed validation (each has a MessageID). Attributes are reset
   * (§2.4 preSendQueueMessage), MaxReceiveCount 0 becomes the limit, delayed messages go to
   * the delay store. One log append per queue touched.
   */
  publish(msgs: readonly QueueMessage[]): SendQueueMessageResult[] {
    const now = this.clock.nowNs();
    const results: SendQueueMessageResult[] = new Array(msgs.length);
    const groups = new Map<QueueState, { records: Uint8Array[]; stored: StoredMessage[] }>();
    const delayRecords: Uint8Array[] = [];
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i] as QueueMessage;
      const policy = (m.Policy ??= { ExpirationSeconds: 0, DelaySeconds: 0, MaxReceiveCount: 0, MaxReceiveQueue: '' });
      if (policy.MaxReceiveCount === 0) policy.MaxReceiveCount = this.limits.maxReceiveCount; // §2.4
      // §2.4: ExpirationAt = now + Expiration + Delay
      const expirationAt = policy.ExpirationSeconds > 0 ? now + BigInt(policy.ExpirationSeconds + policy.DelaySeconds) * NS_PER_S : 0n;
      const delayedTo = policy.DelaySeconds > 0 ? now + BigInt(policy.DelaySeconds) * NS_PER_S : 0n;
      if (!isStanSubjectValid(m.Channel)) {
        results[i] = { MessageID: m.MessageID, SentAt: 0n, ExpirationAt: 0n, DelayedTo: 0n, IsError: true, Error: this.deps.invalidPublishText };
        continue;
      }
      m.Attributes = attributes(now, expirationAt, delayedTo);
      if (delayedTo > 0n) {
        const id = this.nextDelayId++;
        if (this.persist) delayRecords.push(encodeMessage(m, id));
        this.delayed.push({ id, due: delayedTo, msg: m });
      } else {
        const q = this.queue(m.Channel);
        let g = groups.get(q);
        if (!g) groups.set(q, (g = { records: [], stored: [] }));
        const sm = this.stamp(q, m);
        if (this.persist) g.records.push(encodeMessage(m));
        g.stored.push(sm);
      }
      results[i] = { MessageID: m.MessageID, SentAt: now, ExpirationAt: expirationAt, DelayedTo: delayedTo, IsError: false, Error: '' };
    }
    if (delayRecords.length > 0) appendAll(this.delayLog, delayRecords);
    this.armDelayScan();
    for (const [q, g] of groups) this.commitNew(q, g.records, g.stored);
    return results;
  }

  /** The full send path (validation, then publish), as the server uses for re-sends. */
  send(msg: QueueMessage): SendQueueMessageResult {
    if (msg.MessageID === '') msg.MessageID = newNuid();
    const error = this.deps.validate(msg);
    if (error !== undefined) return { MessageID: msg.MessageID, SentAt: 0n, ExpirationAt: 0n, DelayedTo: 0n, IsError: true, Error: error };
    return this.publish([msg])[0] as SendQueueMessageResult;
  }

  // ---------------------------------------------------------------- consumers

  /**
   * Simple receive or peek (§2.4): waits the full `waitMs` unless `max` messages arrive.
   * Receive acks each message on arrival (at-most-once); peek holds them and hands them back,
   * count unchanged. Concurrent receives on one queue wait side by side, as on the server.
   */
  receive(channel: string, opts: ReceiveOptions): Promise<ReceiveOutcome> {
    const q = this.queue(channel);
    return new Promise<ReceiveOutcome>((resolve) => {
      if (opts.signal?.aborted) return resolve({ messages: [], expired: 0 });
      const held: StoredMessage[] = [];
      const shown: QueueMessage[] = [];
      let expired = 0;
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        this.clock.clearTimeout(timer);
        opts.signal?.removeEventListener('abort', finish);
        q.leave(consumer);
        this.release(q, held);
        resolve({ messages: shown, expired });
      };
      const consumer: Consumer = {
        acksOnArrival: !opts.peek,
        outstanding: () => held.length,
        room: () => (done ? 0 : opts.max - shown.length),
        take: (m) => {
          if (opts.peek) held.push(m);
          shown.push(delivered(m));
          if (shown.length >= opts.max) finish();
        },
        expired: () => void expired++,
      };
      const timer = this.clock.setTimeout(finish, opts.waitMs);
      opts.signal?.addEventListener('abort', finish);
      this.addWaiter(q, consumer);
    });
  }

  /** AckAll (§2.4): acks whatever arrives during `waitMs` and always waits that long. */
  ackAll(channel: string, waitMs: number, signal?: AbortSignal): Promise<number> {
    const q = this.queue(channel);
    return new Promise<number>((resolve) => {
      if (signal?.aborted) return resolve(0);
      let count = 0;
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        q.leave(consumer);
        resolve(count);
      };
      const consumer: Consumer = {
        acksOnArrival: true,
        room: () => (done ? 0 : Number.MAX_SAFE_INTEGER),
        take: () => void count++,
      };
      const timer = this.clock.setTimeout(finish, waitMs);
      signal?.addEventListener('abort', finish);
      this.addWaiter(q, consumer);
    });
  }

  /**
   * Stream v1 receive: the first message within `waitMs`, held in flight for the caller
   * (settle it with ack / nack / resend), or undefined when none came or the signal fired.
   */
  receiveOne(channel: string, waitMs: number, signal?: AbortSignal): Promise<StoredMessage | undefined> {
    const q = this.queue(channel);
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(undefined);
      let done = false;
      const finish = (m: StoredMessage | undefined): void => {
        if (done) return;
        done = true;
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        q.leave(consumer);
        resolve(m);
      };
      const onAbort = (): void => finish(undefined);
      const consumer: Consumer = {
        room: () => (done ? 0 : 1),
        take: (m) => finish(m),
      };
      const timer = this.clock.setTimeout(() => finish(undefined), waitMs);
      signal?.addEventListener('abort', onAbort);
      this.addWaiter(q, consumer);
    });
  }

  /**
   * Downstream Get (§2.4, pkg/client/queue.go Poll): collects messages as they are until
   * `maxItems` arrived (then it answers at once) or the wait expired, and only then runs the
   * policy: expired ones are dropped and over-count ones dead-lettered, silently, so they count
   * toward `maxItems`. A Get that collected nothing is closed; AutoAck acks the survivors and
   * closes. Otherwise the transaction stays open, even with no survivors, and keeps capturing
   * (see {@link DownstreamTransaction}). Undefined when the signal fired.
   */
  get(channel: string, opts: GetOptions): Promise<DownstreamTransaction | undefined> {
    const q = this.queue(channel);
    return new Promise((resolve) => {
      if (opts.signal?.aborted) return resolve(undefined);
      const taken: StoredMessage[] = [];
      let done = false;
      const finish = (aborted: boolean): void => {
        if (done) return;
        done = true;
        this.clock.clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (aborted) {
          q.leave(consumer);
          this.release(q, taken);
          resolve(undefined);
          return;
        }
        const survivors = this.applyPolicy(q, taken);
        const tx = new DownstreamTransaction(this, q.name, newUuid(), survivors, opts.maxItems);
        if (opts.autoAck || taken.length === 0) {
          q.leave(consumer);
          tx.settleAndClose();
        } else tx.startCapturing(consumer); // the same subscription goes on, as the transaction
        resolve(tx);
      };
      const onAbort = (): void => finish(true);
      const consumer: Consumer = {
        raw: true,
        outstanding: () => taken.length,
        room: () => (done ? 0 : opts.maxItems - taken.length),
        take: (m) => {
          taken.push(m);
          if (taken.length >= opts.maxItems) finish(false);
        },
      };
      const timer = this.clock.setTimeout(() => finish(false), opts.waitMs);
      opts.signal?.addEventListener('abort', onAbort);
      this.addWaiter(q, consumer);
    });
  }

  /**
   * Registers an open transaction that keeps taking newly arriving messages, in the place of the
   * Get that opened it (`inPlaceOf`) among the queue's consumers.
   */
  addCapturer(channel: string, c: Consumer, inPlaceOf: Consumer): void {
    const q = this.queue(channel);
    q.replace(inPlaceOf, c);
    this.pump(q);
  }

  removeCapturer(channel: string, c: Consumer): void {
    this.queues.get(channel)?.leave(c);
  }

  /** A consumer has more room now (a transaction settled part of its messages): hand it waiting ones. */
  wake(channel: string): void {
    const q = this.queues.get(channel);
    if (q) this.pump(q);
  }

  // ---------------------------------------------------------------- settlement

  /** Acks in-flight messages for good (one log record). */
  ack(channelOrQueue: string | QueueState, msgs: readonly StoredMessage[]): void {
    if (msgs.length === 0) return;
    const q = typeof channelOrQueue === 'string' ? this.queue(channelOrQueue) : channelOrQueue;
    const seqs: number[] = new Array(msgs.length);
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i] as StoredMessage;
      q.inflight.delete(m.seq);
      seqs[i] = m.seq;
    }
    if (this.writing) {
      this.flushHolds(q);
      q.log.append(encodeAck(seqs));
    }
    this.settled(q, seqs.length);
  }

  /**
   * Negative settle (§2.4 ReceiveCount and DLQ): ack the original and publish a copy at the
   * tail with a new sequence and count + 1, or dead-letter it when the next delivery would
   * exceed MaxReceiveCount (so a message is delivered MaxReceiveCount times).
   */
  nack(channel: string, msgs: readonly StoredMessage[]): void {
    if (msgs.length === 0) return;
    const q = this.queue(channel);
    const now = this.clock.nowNs();
    const records: Uint8Array[] = [];
    const copies: StoredMessage[] = [];
    const seqs: number[] = [];
    for (const m of msgs) {
      q.inflight.delete(m.seq);
      seqs.push(m.seq);
      const attrs = m.msg.Attributes as QueueMessageAttributes;
      const count = attrs.ReceiveCount + 1;
      const max = m.msg.Policy?.MaxReceiveCount ?? 0;
      if (max > 0 && count + 1 > max) {
        this.deadLetter(q, m.msg, now);
        continue;
      }
      const copy: QueueMessage = { ...m.msg, Attributes: { ...attrs, ReceiveCount: count, Timestamp: now } };
      const sm = this.stamp(q, copy);
      if (this.persist) records.push(encodeMessage(copy));
      copies.push(sm);
    }
    if (this.writing) {
      this.flushHolds(q);
      records.push(encodeAck(seqs));
      appendAll(q.log, records);
    }
    for (const c of copies) q.ready.pushNew(c);
    this.settled(q, seqs.length);
    this.pump(q);
  }

  /** Hands in-flight messages back unchanged (closed transaction, peek): redelivered, count unchanged. */
  release(channelOrQueue: string | QueueState, msgs: readonly StoredMessage[]): void {
    if (msgs.length === 0) return;
    const q = typeof channelOrQueue === 'string' ? this.queue(channelOrQueue) : channelOrQueue;
    const seqs: number[] = [];
    for (const m of msgs) {
      if (!q.inflight.delete(m.seq)) continue; // already settled or handed back
      seqs.push(m.seq);
      q.ready.pushBack(m);
    }
    if (seqs.length === 0) return;
    if (this.writing) {
      this.flushHolds(q);
      q.log.append(encodeRelease(seqs));
    }
    this.pump(q);
  }

  // ---------------------------------------------------------------- info

  /** QueuesInfo (§2.4, services/broker/metrics.go): `filter` is a `;`-separated list of exact (trimmed) names. */
  info(filter: string): QueuesInfo {
    const wanted = filter === '' ? undefined : new Set(filter.split(';'));
    const out: QueuesInfo = { TotalQueue: 0, Sent: 0n, Delivered: 0n, Waiting: 0n, Queues: [] };
    const names = [...this.queues.keys()].sort();
    for (const name of names) {
      const q = this.queues.get(name) as QueueState;
      const { lastSeq, lastSent, subscribed } = q;
      const firstSeq = q.index.firstSeq;
      if (lastSeq < firstSeq) continue; // only queues with stored messages
      const shownName = metricsQueueName(name);
      if (wanted && !wanted.has(shownName)) continue;
      const sent = lastSeq - firstSeq + 1;
      const info: QueueInfo = {
        Name: shownName,
        Messages: BigInt(q.index.count),
        Bytes: BigInt(q.index.bytes),
        FirstSequence: BigInt(firstSeq),
        LastSequence: BigInt(lastSeq),
        Sent: BigInt(sent),
        Delivered: 0n,
        Waiting: BigInt(sent),
        Subscribers: 0n,
      };
      if (subscribed) {
        info.Subscribers = BigInt(Math.max(1, q.activeConsumers));
        info.Delivered = BigInt(lastSent >= firstSeq ? lastSent - firstSeq + 1 : 0);
        info.Waiting = BigInt(q.inflight.size + q.stranded.size + lastSeq - lastSent);
      }
      out.Queues.push(info);
      out.Sent += info.Sent;
      out.Delivered += info.Delivered;
      out.Waiting += info.Waiting;
    }
    out.TotalQueue = out.Queues.length;
    return out;
  }

  /** Messages waiting (not in flight, not delayed) in a queue. */
  waiting(channel: string): number {
    return this.queues.get(channel)?.ready.size ?? 0;
  }

  /** Messages in flight in a queue. */
  inFlight(channel: string): number {
    return this.queues.get(channel)?.inflight.size ?? 0;
  }

  /** Messages of a queue stranded by a kill (held when the broker died; never delivered again). */
  strandedCount(channel: string): number {
    return this.queues.get(channel)?.stranded.size ?? 0;
  }

  /** Messages waiting for their delay. */
  get delayedCount(): number {
    return this.delayed.size;
  }

  /**
   * A graceful stop: every held message is handed back in the log (the server closes its
   * streams, so nothing is stranded), then nothing more is written and the delay scan stops.
   * Pending waits end with their own timers or their callers' signals.
   */
  close(): void {
    if (this.closed) return;
    if (this.persist) {
      for (const q of this.queues.values()) {
        this.flushHolds(q);
        if (q.inflight.size > 0) q.log.append(encodeRelease([...q.inflight.keys()]));
      }
    }
    this.closed = true;
    if (this.delayTimer !== undefined) this.clock.clearTimeout(this.delayTimer);
    this.delayTimer = undefined;
    if (this.retentionTimer !== undefined) this.clock.clearTimeout(this.retentionTimer);
    this.retentionTimer = undefined;
  }

  /**
   * Retention (§2.4, §4: stan MaxAge): stored messages older than the retention are removed,
   * even never-consumed ones; FirstSequence moves on. Messages in flight stay with their
   * consumer and are dropped if handed back. Replay trims again by time, so no record is needed.
   */
  applyRetention(): void {
    const retention = this.deps.retentionMs ?? 0;
    if (retention <= 0) return;
    const cutoff = this.clock.nowMs() - retention;
    for (const q of this.queues.values()) {
      if (q.index.trimBefore(cutoff) === 0) continue;
      const first = q.index.firstSeq;
      while (q.ready.size > 0 && (q.ready.peek() as StoredMessage).seq < first) q.ready.pop();
      for (const seq of q.stranded.keys()) if (seq < first) q.stranded.delete(seq);
    }
  }

  private scheduleRetention(): void {
    if (this.closed) return;
    this.retentionTimer = this.clock.setTimeout(() => {
      this.applyRetention();
      this.scheduleRetention();
    }, RETENTION_SWEEP_MS);
  }

  // ---------------------------------------------------------------- internals

  private queue(name: string): QueueState {
    let q = this.queues.get(name);
    if (!q) {
      q = new QueueState(name, this.deps.store);
      this.queues.set(name, q);
    }
    return q;
  }

  private get delayLog(): RecordLog {
    this.delayLogHandle ??= this.deps.store.log(DELAY_LOG);
    return this.delayLogHandle;
  }

  /** Gives a message the queue's next sequence. */
  private stamp(q: QueueState, m: QueueMessage): StoredMessage {
    const seq = ++q.lastSeq;
    const attrs = m.Attributes as QueueMessageAttributes;
    attrs.Sequence = BigInt(seq);
    q.index.push(Number(attrs.Timestamp / NS_PER_MS), messageSize(m));
    return { seq, msg: m };
  }

  private commitNew(q: QueueState, records: Uint8Array[], stored: StoredMessage[]): void {
    if (records.length > 0) appendAll(q.log, records);
    for (const m of stored) q.ready.pushNew(m);
    this.pump(q);
  }

  private deadLetter(src: QueueState, m: QueueMessage, now: bigint): void {
    const dlq = m.Policy?.MaxReceiveQueue ?? '';
    if (dlq === '') return; // §2.4: silently dropped without a DLQ
    if (!isStanSubjectValid(dlq)) {
      this.log.error('dead-letter publish failed', { queue: src.name, dlq, error: this.deps.invalidPublishText });
      return;
    }
    const attrs = m.Attributes as QueueMessageAttributes;
    // §2.4/§6: ReRouted, ReRoutedFromQueue, count reset, policy zeroed, expiration kept, MD5 "".
    const copy: QueueMessage = {
      ...m,
      Channel: dlq,
      Tags: { ...m.Tags },
      Attributes: {
        Timestamp: now,
        Sequence: 0n,
        MD5OfBody: attrs.MD5OfBody,
        ReceiveCount: 0,
        ReRouted: true,
        ReRoutedFromQueue: src.name,
        ExpirationAt: attrs.ExpirationAt,
        DelayedTo: attrs.DelayedTo,
      },
      Policy: { ExpirationSeconds: 0, DelaySeconds: 0, MaxReceiveCount: 0, MaxReceiveQueue: '' },
    };
    const dq = this.queue(dlq);
    const sm = this.stamp(dq, copy);
    this.commitNew(dq, this.writing ? [encodeMessage(copy)] : [], [sm]);
  }

  private addWaiter(q: QueueState, c: Consumer): void {
    q.join(c);
    q.subscribed = true;
    this.pump(q);
  }

  /**
   * Hands waiting messages to consumers. The policy runs on each delivery attempt (§2.4):
   * expired messages are acked and dropped, over-count ones dead-lettered; raw consumers take
   * them as they are. Messages acked on arrival and dropped ones share one Ack record, messages
   * held share one Hold record, per pump.
   */
  private pump(q: QueueState): void {
    if (q.pumping) return;
    q.pumping = true;
    const settledNow: number[] = [];
    try {
      let now: bigint | undefined;
      const clockNow = (): bigint => (now ??= this.clock.nowNs());
      while (q.ready.size > 0) {
        const c = q.pick();
        if (!c) break;
        const m = q.ready.pop() as StoredMessage;
        if (m.seq < q.index.firstSeq) continue; // removed by retention while it was in flight
        if (!c.raw) {
          const verdict = this.verdict(m, clockNow);
          if (verdict !== 'deliver') {
            settledNow.push(m.seq);
            if (verdict === 'expired') c.expired?.(m);
            else this.deadLetter(q, m.msg, clockNow());
            continue;
          }
        }
        if (m.seq > q.lastSent) q.lastSent = m.seq;
        if (c.acksOnArrival) settledNow.push(m.seq);
        else {
          q.inflight.set(m.seq, m);
          if (this.writing) q.pendingHolds.push(m.seq);
        }
        c.take(m);
      }
    } finally {
      q.pumping = false;
      this.flushHolds(q);
      if (settledNow.length > 0) {
        if (this.writing) q.log.append(encodeAck(settledNow));
        this.settled(q, settledNow.length);
      }
    }
    // A consumer may have handed messages back while we were pumping.
    if (q.ready.size > 0 && q.hasRoom()) this.pump(q);
  }

  /** The policy for a message about to be delivered (§2.4 processMessagePolicy). */
  private verdict(m: StoredMessage, now: () => bigint): Verdict {
    const attrs = m.msg.Attributes as QueueMessageAttributes;
    if (attrs.ExpirationAt > 0n && attrs.ExpirationAt < now()) return 'expired';
    const max = m.msg.Policy?.MaxReceiveCount ?? 0;
    if (max > 0 && attrs.ReceiveCount + 1 > max) return 'dead-letter';
    return 'deliver';
  }

  /**
   * The policy over what a Get collected: expired messages are acked and dropped, over-count
   * ones dead-lettered (one Ack record for both); the survivors stay held and are returned.
   */
  private applyPolicy(q: QueueState, taken: readonly StoredMessage[]): StoredMessage[] {
    const survivors: StoredMessage[] = [];
    const dropped: StoredMessage[] = [];
    let now: bigint | undefined;
    const clockNow = (): bigint => (now ??= this.clock.nowNs());
    for (const m of taken) {
      const verdict = this.verdict(m, clockNow);
      if (verdict === 'deliver') survivors.push(m);
      else {
        if (verdict === 'dead-letter') this.deadLetter(q, m.msg, clockNow());
        dropped.push(m);
      }
    }
    this.ack(q, dropped);
    return survivors;
  }

  /** Writes the Hold record of messages taken since the last one (before any record that settles them). */
  private flushHolds(q: QueueState): void {
    if (q.pendingHolds.length === 0) return;
    const seqs = q.pendingHolds;
    q.pendingHolds = [];
    if (this.writing) q.log.append(encodeHold(seqs));
  }

  /** Records are written while the engine runs; after a graceful close the log stays as close() left it. */
  private get writing(): boolean {
    return this.persist && !this.closed;
  }

  private settled(q: QueueState, n: number): void {
    if (!this.writing) return;
    q.settledInLog += n;
    const live = q.ready.size + q.inflight.size + q.stranded.size;
    if (q.settledInLog >= COMPACT_MIN_SETTLED && q.settledInLog > 2 * live) this.compact(q);
  }

  /**
   * Rewrites a queue log with only its live messages and the counters (§ persistence); messages
   * held or stranded keep a Hold record, so a kill after the rewrite still strands them.
   */
  private compact(q: QueueState): void {
    const live = [...q.ready.values(), ...q.inflight.values(), ...q.stranded.values()].sort((a, b) => a.seq - b.seq);
    const records = live.map((m) => encodeMessage(m.msg));
    const { ts, sizes } = q.index.entries();
    const meta = encodeMeta({ firstSeq: q.index.firstSeq, lastSeq: q.lastSeq, lastSent: q.lastSent, subscribed: q.subscribed, ts, sizes });
    const held = [...q.inflight.keys(), ...q.stranded.keys()];
    if (held.length > 0) records.push(encodeHold(held));
    q.log.rewrite([meta, ...records]);
    q.pendingHolds = [];
    q.settledInLog = 0;
  }

  private armDelayScan(): void {
    if (this.closed || this.delayTimer !== undefined || this.delayed.size === 0) return;
    this.delayTimer = this.clock.setTimeout(() => {
      this.delayTimer = undefined;
      this.scanDelayed();
      this.armDelayScan();
    }, this.limits.delayScanIntervalMs);
  }

  /** The 500 ms delay scan (§2.4): due messages are re-sent with a new sequence and DelayedTo 0. */
  private scanDelayed(): void {
    const now = this.clock.nowNs();
    const due: DelayedEntry[] = [];
    while (this.delayed.size > 0 && (this.delayed.peek() as DelayedEntry).due < now) due.push(this.delayed.pop() as DelayedEntry);
    if (due.length === 0) return;
    for (const d of due) {
      const msg = d.msg;
      msg.Attributes = undefined;
      if (msg.Policy) msg.Policy.DelaySeconds = 0;
      const r = this.send(msg);
      if (r.IsError) this.log.error('sending delayed message failed', { channel: msg.Channel, error: r.Error });
    }
    if (!this.persist) return;
    this.delayLog.append(encodeAck(due.map((d) => d.id)));
    this.delaySettled += due.length;
    if (this.delaySettled >= COMPACT_MIN_SETTLED && this.delaySettled > 2 * this.delayed.size) {
      const rest = [...this.delayed.values()].sort((a, b) => a.id - b.id);
      this.delayLog.rewrite(rest.map((d) => encodeMessage(d.msg, d.id)));
      this.delaySettled = 0;
    }
  }

  /**
   * Rebuilds every queue from its log. Messages a consumer held when the broker was killed (a
   * Hold never followed by a Release or an Ack) are stranded; everything else unsettled waits.
   */
  private replay(): void {
    const store = this.deps.store;
    for (const name of store.names()) {
      if (name.startsWith(QUEUE_LOG_PREFIX)) this.replayQueue(name.slice(QUEUE_LOG_PREFIX.length));
    }
    if (store.names().includes(DELAY_LOG)) {
      const live = new Map<number, DelayedEntry>();
      for (const bytes of this.delayLog.replay()) {
        const rec = decodeRecord(bytes);
        if (!rec) continue;
        if (rec.kind === RecordKind.Message) {
          live.set(rec.id, { id: rec.id, due: rec.msg.Attributes?.DelayedTo ?? 0n, msg: rec.msg });
          if (rec.id >= this.nextDelayId) this.nextDelayId = rec.id + 1;
        } else if (rec.kind === RecordKind.Ack) {
          for (const id of rec.ids) live.delete(id);
          this.delaySettled += rec.ids.length;
        }
      }
      for (const d of live.values()) this.delayed.push(d);
      this.armDelayScan();
    }
  }

  private replayQueue(name: string): void {
    const q = this.queue(name);
    const live = new Map<number, StoredMessage>();
    const held = new Set<number>();
    // Messages stored after the last compaction, for the index (seq, ms, size).
    const later: Array<[number, number, number]> = [];
    let indexedUpTo = 0;
    for (const bytes of q.log.replay()) {
      const rec = decodeRecord(bytes);
      if (!rec) continue;
      if (rec.kind === RecordKind.Meta) {
        const m = rec.meta;
        q.index = new StoredIndex(m.firstSeq);
        for (let i = 0; i < m.ts.length; i++) q.index.push(m.ts[i] as number, m.sizes[i] as number);
        q.lastSeq = Math.max(q.lastSeq, m.lastSeq);
        q.lastSent = m.lastSent;
        q.subscribed = m.subscribed;
        indexedUpTo = m.lastSeq;
        later.length = 0;
      } else if (rec.kind === RecordKind.Message) {
        const attrs = rec.msg.Attributes;
        const seq = Number(attrs?.Sequence ?? 0n);
        if (seq <= 0) continue;
        live.set(seq, { seq, msg: rec.msg });
        if (seq > indexedUpTo) later.push([seq, Number((attrs?.Timestamp ?? 0n) / NS_PER_MS), messageSize(rec.msg)]);
        if (seq > q.lastSeq) q.lastSeq = seq;
      } else if (rec.kind === RecordKind.Ack) {
        for (const seq of rec.ids) {
          live.delete(seq);
          held.delete(seq);
        }
        q.settledInLog += rec.ids.length;
      } else if (rec.kind === RecordKind.Hold) {
        for (const seq of rec.ids) if (live.has(seq)) held.add(seq);
      } else {
        for (const seq of rec.ids) held.delete(seq);
      }
    }
    // A dead letter to its own queue can land in the log before the copy it came from.
    later.sort((a, b) => a[0] - b[0]);
    for (const [, ts, size] of later) q.index.push(ts, size);
    for (const m of [...live.values()].sort((a, b) => a.seq - b.seq)) {
      if (!held.has(m.seq)) {
        q.ready.pushNew(m);
        continue;
      }
      // Delivered once, never acked: the durable queue group exists and counts it as waiting.
      q.stranded.set(m.seq, m);
      q.subscribed = true;
      if (m.seq > q.lastSent) q.lastSent = m.seq;
    }
  }
}

function attributes(now: bigint, expirationAt: bigint, delayedTo: bigint): QueueMessageAttributes {
  return { Timestamp: now, Sequence: 0n, MD5OfBody: '', ReceiveCount: 0, ReRouted: false, ReRoutedFromQueue: '', ExpirationAt: expirationAt, DelayedTo: delayedTo };
}

/**
 * Bytes a stored message counts for in QueuesInfo: its payload fields plus a fixed overhead
 * for the attributes. (Stan counts its own framing; nobody can match that byte for byte.)
 */
function messageSize(m: QueueMessage): number {
  let tags = 0;
  for (const k in m.Tags) tags += k.length + (m.Tags[k] as string).length + 4;
  return m.Body.length + m.Metadata.length + m.MessageID.length + m.ClientID.length + m.Channel.length + tags + 64;
}

/** The message as a consumer sees it: the stored count + 1 (§2.4). */
export function delivered(m: StoredMessage): QueueMessage {
  const attrs = m.msg.Attributes as QueueMessageAttributes;
  return { ...m.msg, Attributes: { ...attrs, ReceiveCount: attrs.ReceiveCount + 1 } };
}

function appendAll(log: RecordLog, records: Uint8Array[]): void {
  if (records.length <= APPEND_CHUNK) {
    log.append(...records);
    return;
  }
  for (let i = 0; i < records.length; i += APPEND_CHUNK) log.append(...records.slice(i, i + APPEND_CHUNK));
}
