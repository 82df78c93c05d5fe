// The queue engine: the rules of the server's queues (§2.4 is the reference for
// every rule). It publishes messages, hands them to the consumers that wait for them, runs the
// policy (expiration, receive count, dead-letter) and settles them (ack, negative settle = copy
// at the tail). Its parts live next to it: queue-state.ts (one queue), group/ (the queue's durable
// group: its members, and what happens to the messages of one that leaves), wait.ts (every
// consumer's wait), delay-scheduler.ts, queue-log.ts (records, replay, compaction) and
// transaction.ts (a downstream transaction). No gRPC here; the service layer maps wire requests
// onto these calls and words every outcome.
import type { Clock, TimerHandle } from '../../clock.js';
import type { BrokerQueueLimits } from '../../config.js';
import type { QueueMessage, QueueMessageAttributes, QueuesInfo } from '../../generated/kubemq.js';
import type { EmulatorLogger } from '../../log.js';
import type { Store } from '../../store/store.js';
import { nuid, uuid } from '../ids.js';
import { DelayScheduler } from './delay-scheduler.js';
import type { Consumer } from './group/consumer.js';
import type { Member } from './group/member.js';
import { Redelivery, type ForcedRoute, type RedeliveryHost } from './group/redelivery.js';
import { delivered, messageSize, type SendOutcome, type SendRefusal, type StoredMessage } from './messages.js';
import { QueueLog, loggedQueues, type LogSwitch } from './queue-log.js';
import { QueueState } from './queue-state.js';
import { isStanSubjectValid } from './subjects.js';
import { DownstreamTransaction, type TransactionHost } from './transaction.js';
import { StanCaseIndex } from '../stan-case.js';
import { pushTo } from '../list-map.js';
import { waitForMessages, type WaitControl, type WaitEnd } from './wait.js';

const NS_PER_S = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;
/** How often retention runs: stan's store looks for messages past their age every second. */
const RETENTION_SWEEP_MS = 1000;
const INVALID_SUBJECT: SendRefusal = Object.freeze({ reason: 'invalid-subject' });

/** What the policy does with a message about to be delivered. */
type Verdict = 'deliver' | 'expired' | 'dead-letter';

/** Hands one message to one member (see {@link QueueEngine.delivering}). */
type Deliver = (member: Member, m: StoredMessage) => void;

export interface QueueEngineDeps {
  store: Store;
  clock: Clock;
  limits: BrokerQueueLimits;
  log: EmulatorLogger;
  /**
   * The send path's validation (§3 "Queue message"), as the service layer words it: an error
   * text, or undefined when valid. The engine passes the text through untouched.
   */
  validate: (msg: QueueMessage) => string | undefined;
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

/** What a stream-v1 receive got: its message, and its place in the queue's group until the stream ends. */
export interface StreamHold {
  /** Held in flight for the stream: settle it with ack or nack. */
  readonly message: StoredMessage;
  /** The stream ended (after its settle): its subscription leaves the queue's group. */
  leave(): void;
}

/** A consumer's wait that has not ended yet (see {@link QueueEngine.close}). */
interface PendingWait {
  readonly endsAtMs: number;
  readonly outlivesCall: boolean;
  end(how: WaitEnd): void;
}

export interface GetOptions {
  maxItems: number;
  waitMs: number;
  autoAck: boolean;
  signal?: AbortSignal;
}

export class QueueEngine implements TransactionHost, LogSwitch, RedeliveryHost {
  private readonly queues = new Map<string, QueueState>();
  /** The queues' stan channels, by lower-case name: a name differing only in case is refused (§2.4). */
  private readonly stanNames = new StanCaseIndex();
  private readonly delays: DelayScheduler;
  private readonly redelivery: Redelivery;
  private retentionTimer: TimerHandle | undefined;
  /**
   * Consumers still waiting: when each wait ends, and how to end it now. A downstream Get
   * (`outlivesCall`) runs on the server's own context, not its call's, so a stop does not end it (§5.3).
   */
  private readonly pendingWaits = new Map<Consumer, PendingWait>();
  private closed = false;
  private readonly persist: boolean;
  private readonly clock: Clock;
  private readonly limits: BrokerQueueLimits;
  private readonly log: EmulatorLogger;

  constructor(private readonly deps: QueueEngineDeps) {
    this.clock = deps.clock;
    this.limits = deps.limits;
    this.log = deps.log;
    this.persist = deps.persist ?? deps.store.durable;
    this.redelivery = new Redelivery(deps.clock, this);
    this.delays = new DelayScheduler({
      store: deps.store,
      clock: deps.clock,
      intervalMs: deps.limits.delayScanIntervalMs,
      inFlightLimit: deps.limits.delayInFlightLimit,
      ackWaitMs: deps.limits.delayAckWaitMs,
      retentionMs: deps.retentionMs ?? 0,
      logSwitch: this,
      resend: (msg) => {
        const r = this.send(msg);
        if (!r.stored) this.log.error('sending delayed message failed', { channel: msg.Channel, ...r.refusal });
      },
    });
    for (const name of loggedQueues(deps.store)) {
      const q = this.queue(name);
      q.restore(q.log.replay());
    }
    this.delays.replay();
    if (deps.retentionMs) {
      this.applyRetention();
      this.scheduleRetention();
    }
    // stan's startup delivery (sendAvailableMessagesToQueue): the stranded subscriptions it
    // recovered take waiting messages up to their room.
    for (const q of this.queues.values()) {
      if (q.group.size === 0) continue;
      q.releaseRemoved();
      this.pump(q);
    }
  }

  /** Records are written while the engine runs; after a graceful close the logs stay as close() left them. */
  get writing(): boolean {
    return this.persist && !this.closed;
  }

  // ---------------------------------------------------------------- send path

  /**
   * Publishes messages that passed validation (each has a MessageID). Attributes are reset
   * (§2.4 preSendQueueMessage), MaxReceiveCount 0 becomes the limit, delayed messages go to
   * the delay scheduler. One log append per queue touched. Outcomes are in message order.
   */
  publish(msgs: readonly QueueMessage[]): SendOutcome[] {
    const now = this.clock.nowNs();
    const outcomes: SendOutcome[] = new Array(msgs.length);
    const groups = new Map<QueueState, StoredMessage[]>();
    const delayed: QueueMessage[] = [];
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i] as QueueMessage;
      const policy = (m.Policy ??= { ExpirationSeconds: 0, DelaySeconds: 0, MaxReceiveCount: 0, MaxReceiveQueue: '' });
      if (policy.MaxReceiveCount === 0) policy.MaxReceiveCount = this.limits.maxReceiveCount; // §2.4
      // §2.4: ExpirationAt = now + Expiration + Delay
      const expirationAt = policy.ExpirationSeconds > 0 ? now + BigInt(policy.ExpirationSeconds + policy.DelaySeconds) * NS_PER_S : 0n;
      const delayedTo = policy.DelaySeconds > 0 ? now + BigInt(policy.DelaySeconds) * NS_PER_S : 0n;
      if (!isStanSubjectValid(m.Channel)) {
        outcomes[i] = { stored: false, refusal: INVALID_SUBJECT };
        continue;
      }
      // A delayed message goes to the delay channel; its queue's name is checked when it is re-sent.
      const existing = delayedTo > 0n ? undefined : this.caseConflict(m.Channel);
      if (existing !== undefined) {
        outcomes[i] = { stored: false, refusal: { reason: 'channel-case', channel: m.Channel, existing } };
        continue;
      }
      m.Attributes = attributes(now, expirationAt, delayedTo);
      if (delayedTo > 0n) delayed.push(m);
      else {
        const q = this.queue(m.Channel);
        pushTo(groups, q, this.stamp(q, m));
      }
      outcomes[i] = { stored: true, sentAt: now, expirationAt, delayedTo };
    }
    if (delayed.length > 0) this.delays.put(delayed);
    for (const [q, stored] of groups) this.commitNew(q, stored);
    return outcomes;
  }

  /** The full send path (validation, then publish), as the server uses for re-sends. */
  send(msg: QueueMessage): SendOutcome {
    if (msg.MessageID === '') msg.MessageID = nuid();
    const error = this.deps.validate(msg);
    if (error !== undefined) return { stored: false, refusal: { reason: 'invalid-message', error } };
    return this.publish([msg])[0] as SendOutcome;
  }

  /**
   * The existing queue that `channel` differs from only in case, when `channel` itself does not
   * exist: newer stan refuses to create its channel then, for a send or a consumer (§2.4).
   */
  caseConflict(channel: string): string | undefined {
    return this.queues.has(channel) ? undefined : this.stanNames.conflict(channel);
  }

  // ---------------------------------------------------------------- consumers

  /**
   * Simple receive or peek (§2.4): waits the full `waitMs` unless `max` messages arrive.
   * Receive acks each message on arrival (at-most-once); peek holds them and hands them back,
   * count unchanged. Concurrent receives on one queue wait side by side here; the service
   * layer makes them take turns, as the server's pooled client does (`receiver-lanes.ts`).
   * Their subscriptions' MaxInflight: 1 for a receive (it acks each at once), `max` for a peek.
   */
  receive(channel: string, opts: ReceiveOptions): Promise<ReceiveOutcome> {
    const q = this.queue(channel);
    const held: StoredMessage[] = [];
    const shown: QueueMessage[] = [];
    let expired = 0;
    return this.wait(q, opts.waitMs, opts.signal, {
      consumer: (wait) => ({
        acksOnArrival: !opts.peek,
        outstanding: () => held.length,
        room: () => (wait.open ? Math.min(opts.peek ? opts.max : 1, opts.max - shown.length) : 0),
        take: (m) => {
          if (opts.peek) held.push(m);
          shown.push(delivered(m));
          if (shown.length >= opts.max) wait.filled();
        },
        expired: () => void expired++,
      }),
      end: (_how, consumer) => {
        this.leave(q, consumer, held);
        return { messages: shown, expired };
      },
    });
  }

  /**
   * AckAll (§2.4): acks whatever arrives during `waitMs` and always waits that long. Whatever:
   * the server's callback counts every message and runs no policy, so expired and over-count
   * messages are acked and counted too (none goes to a dead-letter queue).
   */
  ackAll(channel: string, waitMs: number, signal?: AbortSignal): Promise<number> {
    const q = this.queue(channel);
    let count = 0;
    return this.wait(q, waitMs, signal, {
      consumer: (wait) => ({
        raw: true,
        acksOnArrival: true,
        room: () => (wait.open ? Number.MAX_SAFE_INTEGER : 0),
        take: () => void count++,
      }),
      end: (_how, consumer) => {
        this.leave(q, consumer, []);
        return count;
      },
    });
  }

  /**
   * Stream v1 receive: the first message within `waitMs`, held in flight for the caller
   * (settle it with ack / nack / resend), or undefined when none came or the signal fired. With a
   * message, the stream's subscription (MaxInflight 1) stays in the queue's group until the
   * caller calls `leave()`, as the server closes it only when the stream ends.
   */
  receiveOne(channel: string, waitMs: number, signal?: AbortSignal): Promise<StreamHold | undefined> {
    const q = this.queue(channel);
    let got: StoredMessage | undefined;
    return this.wait(q, waitMs, signal, {
      consumer: (wait) => ({
        room: () => (wait.open ? 1 : 0),
        take: (m) => {
          got = m;
          wait.filled();
        },
      }),
      end: (_how, consumer) => {
        const leave = (): void => this.leave(q, consumer, []);
        if (got) return { message: got, leave };
        leave();
        return undefined;
      },
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
    const taken: StoredMessage[] = [];
    return this.wait(q, opts.waitMs, opts.signal, {
      outlivesCall: true,
      maxInflight: opts.maxItems,
      consumer: (wait) => ({
        raw: true,
        outstanding: () => taken.length,
        room: () => (wait.open ? opts.maxItems - taken.length : 0),
        take: (m) => {
          taken.push(m);
          if (taken.length >= opts.maxItems) wait.filled();
        },
      }),
      end: (how, consumer) => {
        if (how === 'aborted') {
          this.leave(q, consumer, taken);
          return undefined;
        }
        const survivors = this.applyPolicy(q, taken);
        const tx = new DownstreamTransaction(this, q.name, uuid(), survivors, opts.maxItems);
        if (opts.autoAck || taken.length === 0) {
          this.leave(q, consumer, []);
          tx.settleAndClose();
        } else tx.startCapturing(consumer); // the same subscription goes on, as the transaction
        return tx;
      },
    });
  }

  /**
   * Registers an open transaction that keeps taking newly arriving messages, in the place of the
   * Get that opened it (`inPlaceOf`) among the queue's consumers.
   */
  addCapturer(channel: string, c: Consumer, inPlaceOf: Consumer): void {
    const q = this.queue(channel);
    q.group.replace(inPlaceOf, c);
    this.pump(q);
  }

  removeCapturer(channel: string, c: Consumer, holding: readonly StoredMessage[]): void {
    this.leave(this.queue(channel), c, holding);
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
    q.log.acked(seqs);
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
      copies.push(this.stamp(q, copy));
    }
    q.log.requeued(copies.map((c) => c.msg), seqs);
    for (const c of copies) q.ready.push(c);
    this.settled(q, seqs.length);
    this.pump(q);
  }

  /**
   * Delivers messages a member left holding, each past its member's room (stan's forced
   * delivery, group/redelivery.ts): to `route.to`, or to the member the group picks for it. A
   * member whose consumer has no room left holds it hidden (overflow) until it leaves. What is
   * left when the target has gone goes back as that member's.
   */
  force(q: QueueState, msgs: readonly StoredMessage[], route: ForcedRoute): void {
    this.delivering(q, (deliver) => {
      for (let i = 0; i < msgs.length; i++) {
        const m = msgs[i] as StoredMessage;
        if (route.from && !route.from.handedOver.has(m.seq)) continue; // it left, and took it along
        const to = route.to ?? q.group.pick(true);
        route.from?.handedOver.delete(m.seq);
        if (!to || !q.group.has(to)) {
          this.redelivery.left(q, undefined, msgs.slice(i));
          return;
        }
        deliver(to, m);
      }
    });
    this.pump(q);
  }

  // ---------------------------------------------------------------- info

  /** QueuesInfo (§2.4, services/broker/metrics.go): `filter` is a `;`-separated list of exact (trimmed) names. */
  info(filter: string): QueuesInfo {
    const wanted = filter === '' ? undefined : new Set(filter.split(';'));
    const out: QueuesInfo = { TotalQueue: 0, Sent: 0n, Delivered: 0n, Waiting: 0n, Queues: [] };
    for (const name of [...this.queues.keys()].sort()) {
      const info = (this.queues.get(name) as QueueState).info();
      if (!info || (wanted && !wanted.has(info.Name))) continue;
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
    return this.delays.size;
  }

  /**
   * The broker is stopping and its store closes in `ms`: the downstream Gets whose wait would end
   * by then end now, as if it had run out, so they answer and their streams can close their
   * transactions before the store closes. Gets that wait longer wait on (§5.3).
   */
  finishGetsWithin(ms: number): void {
    const by = this.clock.nowMs() + ms;
    for (const w of [...this.pendingWaits.values()]) if (w.outlivesCall && w.endsAtMs <= by) w.end('timeout');
  }

  /**
   * A graceful stop: the server's store closes. Consumers whose call ends with the stop (a
   * receive, peek, AckAll or stream-v1 receive still waiting) leave first, so what they held goes
   * to the members left or to the group's shadow (a Release record). Then nothing more is
   * written: what the members still there hold keeps its Hold record and is stranded after a
   * restart, as after a kill (§5.3). Those are a downstream Get still waiting (it runs on the
   * server's own context) and any transaction or stream-v1 receive whose stream did not end it
   * first. The delay scan stops and no redelivery timer stays set; a Get still waiting ends with
   * its own timer or its caller's signal.
   */
  close(): void {
    if (this.closed) return;
    for (const w of [...this.pendingWaits.values()]) if (!w.outlivesCall) w.end('aborted');
    for (const q of this.queues.values()) q.log.flushHolds();
    this.closed = true;
    this.delays.stop();
    this.redelivery.stop();
    if (this.retentionTimer !== undefined) this.clock.clearTimeout(this.retentionTimer);
    this.retentionTimer = undefined;
  }

  /**
   * Retention (§2.4, §4: stan MaxAge): stored messages older than the retention are removed,
   * even never-consumed ones; FirstSequence moves on. Messages in flight (or in the group's
   * shadow) stay where they are and are dropped when next delivered, as stan acks a message it
   * no longer finds. Replay trims again by time, so no record is needed.
   */
  applyRetention(): void {
    const retention = this.deps.retentionMs ?? 0;
    if (retention <= 0) return;
    const cutoff = this.clock.nowMs() - retention;
    for (const q of this.queues.values()) {
      if (q.index.trimBefore(cutoff) === 0) continue;
      const first = q.index.firstSeq;
      while (q.ready.size > 0 && (q.ready.peek() as StoredMessage).seq < first) q.ready.shift();
      for (const seq of q.stranded.keys()) {
        if (seq >= first) continue;
        q.stranded.delete(seq);
        q.log.forget(seq);
      }
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
      q = new QueueState(name, new QueueLog(name, this.deps.store, this));
      this.queues.set(name, q);
      this.stanNames.add(name);
    }
    return q;
  }

  /**
   * A consumer's wait on `q` (see wait.ts); joining makes the queue's durable group (and the
   * server's stan channel) exist, recorded once. A joiner first takes over what the group's
   * shadow holds, then gets new messages. `outlivesCall`: a downstream Get, which a stop does not end;
   * `maxInflight`: its MaxItems, and its subscription is recorded (QueueState.subscribe).
   */
  private wait<T>(
    q: QueueState,
    waitMs: number,
    signal: AbortSignal | undefined,
    spec: { outlivesCall?: boolean; maxInflight?: number; consumer(wait: WaitControl): Consumer; end(how: WaitEnd, consumer: Consumer): T },
  ): Promise<T> {
    return waitForMessages({
      clock: this.clock,
      waitMs,
      signal,
      consumer: spec.consumer,
      started: (c, end) => this.pendingWaits.set(c, { endsAtMs: this.clock.nowMs() + waitMs, outlivesCall: spec.outlivesCall === true, end }),
      end: (how, c) => {
        this.pendingWaits.delete(c);
        return spec.end(how, c);
      },
      join: (c) => {
        const member = q.group.join(c);
        if (!q.subscribed) {
          q.subscribed = true;
          q.log.subscribed();
        }
        if (spec.maxInflight !== undefined) q.subscribe(member, spec.maxInflight);
        this.redelivery.joined(q, member);
        this.pump(q);
      },
    });
  }

  /** Gives a message the queue's next sequence. */
  private stamp(q: QueueState, m: QueueMessage): StoredMessage {
    const seq = ++q.lastSeq;
    const attrs = m.Attributes as QueueMessageAttributes;
    attrs.Sequence = BigInt(seq);
    q.index.push(Number(attrs.Timestamp / NS_PER_MS), messageSize(m));
    return { seq, msg: m };
  }

  private commitNew(q: QueueState, stored: StoredMessage[]): void {
    q.log.stored(stored.map((m) => m.msg));
    for (const m of stored) q.ready.push(m);
    this.pump(q);
  }

  /** `c` left `q`'s group holding `held` unacked: they go to the other members or the shadow. */
  private leave(q: QueueState, c: Consumer, held: readonly StoredMessage[]): void {
    const member = q.group.leave(c);
    const sub = member?.subscription;
    if (sub) q.log.left(sub.id);
    this.redelivery.left(q, member, held);
    if (sub) {
      q.log.subscriptionEnded();
      this.settled(q, 0);
    }
  }

  private deadLetter(src: QueueState, m: QueueMessage, now: bigint): void {
    const dlq = m.Policy?.MaxReceiveQueue ?? '';
    if (dlq === '') return; // §2.4: silently dropped without a DLQ
    if (!isStanSubjectValid(dlq)) {
      this.log.error('dead-letter publish failed', { queue: src.name, dlq, ...INVALID_SUBJECT });
      return;
    }
    const existing = this.caseConflict(dlq);
    if (existing !== undefined) {
      this.log.error('dead-letter publish failed', { queue: src.name, dlq, reason: 'channel-case', existing });
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
    this.commitNew(dq, [this.stamp(dq, copy)]);
  }

  /** Hands waiting messages to the members with room, the way stan's queue group picks them. */
  private pump(q: QueueState): void {
    if (q.pumping) return;
    this.delivering(q, (deliver) => {
      while (q.ready.size > 0) {
        const member = q.group.pick();
        if (!member) break;
        deliver(member, q.ready.shift() as StoredMessage);
      }
    });
    // Room that opened inside the pass, where a nested pump returns at once, is served now.
    if (q.ready.size > 0 && q.group.hasRoom()) this.pump(q);
  }

  /**
   * One pass of deliveries on `q`. The policy runs on each delivery attempt (§2.4): expired
   * messages are acked and dropped, over-count ones dead-lettered; raw consumers take them as
   * they are. A member whose consumer has no room (only a forced delivery gets there) holds the
   * message hidden, unacked. Messages acked on arrival and dropped ones share one Ack record,
   * messages held share one Hold record, per pass.
   */
  private delivering(q: QueueState, run: (deliver: Deliver) => void): void {
    const wasPumping = q.pumping;
    q.pumping = true;
    const settledNow: number[] = [];
    let now: bigint | undefined;
    const clockNow = (): bigint => (now ??= this.clock.nowNs());
    const settle = (m: StoredMessage): void => {
      q.inflight.delete(m.seq);
      settledNow.push(m.seq);
    };
    try {
      run((member, m) => {
        if (m.seq < q.index.firstSeq) {
          q.inflight.delete(m.seq); // removed by retention since it was last delivered
          q.log.forget(m.seq);
          return;
        }
        const c = member.consumer;
        if (c.room() <= 0) {
          q.hold(m, member);
          member.overflow.set(m.seq, m);
          return;
        }
        if (!c.raw) {
          const verdict = this.verdict(m, clockNow);
          if (verdict !== 'deliver') {
            settle(m);
            if (verdict === 'expired') c.expired?.(m);
            else this.deadLetter(q, m.msg, clockNow());
            return;
          }
        }
        if (m.seq > q.lastSent) q.lastSent = m.seq;
        if (c.acksOnArrival) settle(m);
        else q.hold(m, member);
        c.take(m);
      });
    } finally {
      q.pumping = wasPumping;
      q.log.flushHolds();
      if (settledNow.length > 0) {
        q.log.acked(settledNow);
        this.settled(q, settledNow.length);
      }
    }
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

  /** Counts settled messages in the queue's log, and compacts the log once that pays. */
  private settled(q: QueueState, n: number): void {
    if (q.log.settled(n, q.liveCount)) q.log.compact(q.snapshot());
  }
}

function attributes(now: bigint, expirationAt: bigint, delayedTo: bigint): QueueMessageAttributes {
  return { Timestamp: now, Sequence: 0n, MD5OfBody: '', ReceiveCount: 0, ReRouted: false, ReRoutedFromQueue: '', ExpirationAt: expirationAt, DelayedTo: delayedTo };
}
