// The events store (broker-behaviour.md §2.2): per-channel logs with sequences from 1 and Unix-ns
// timestamps, six start positions, and durable subscriptions (stan durables) that resume
// where they stopped and ignore the start position when they already exist.
// A publish is answered before the event is written: events wait for the next write batch
// (EVENT_WRITE_BATCH_MS), as the server answers Sent:true before its store has the event, so a
// SIGKILL can lose what was just acknowledged. A graceful close writes every waiting event.
import type { Clock, TimerHandle } from '../../clock.js';
import { EventReceive } from '../../generated/kubemq.js';
import type { RecordLog, Store } from '../../store/store.js';
import type { ChannelRegistry } from '../channels/registry.js';
import type { ClientLease } from './client-registry.js';
import { StanCaseIndex } from '../stan-case.js';
import { Durable, type StanDelivery, type StoreTarget } from './durable.js';
import { EVENTS_STORE_PREFIX, StanError, isStanChannelValid } from './stan.js';

export type { StoreTarget } from './durable.js';

/** `Subscribe.EventsStoreTypeData` values (docs/broker-behaviour.md §2.2). */
export const StartType = {
  StartNewOnly: 1,
  StartFromFirst: 2,
  StartFromLast: 3,
  StartAtSequence: 4,
  StartAtTime: 5,
  StartAtTimeDelta: 6,
} as const;

export interface StoredEvent {
  readonly seq: number;
  /** Store time, Unix ns. */
  readonly ts: bigint;
  /** The encoded EventReceive, sent as is to every subscriber. */
  readonly bytes: Buffer;
}

export interface PublishInput {
  EventID: string;
  Channel: string;
  Metadata: string;
  Body: Buffer;
  Tags: { [key: string]: string };
}

export interface SubscribeInput {
  channel: string;
  group: string;
  startType: number;
  startValue: bigint;
}

const CHANNEL_LOG_PREFIX = 'events-store/';
const DURABLES_LOG = 'events-store.durables';
const DURABLE_FLUSH_MS = 50;
/**
 * How long an acknowledged event waits to be written with the ones after it. Subscribers get it
 * once it is written, as stan delivers only what it stored; a few ms, like the server's I/O batches.
 */
export const EVENT_WRITE_BATCH_MS = 5;

class StoreChannel {
  /** Stored events, oldest first; retention removes from the front. */
  events: StoredEvent[] = [];
  /** The last sequence ever written (kept when retention empties the channel). */
  lastStored = 0;
  /** Acknowledged events waiting for the next write batch, oldest first; delivered once written. */
  unwritten: StoredEvent[] = [];
  readonly durables = new Set<Durable>();
  constructor(
    readonly name: string,
    readonly log: RecordLog | undefined,
  ) {}
  /**
   * The last sequence acknowledged, written or not. Start positions count from it: a subscription
   * that comes after a Sent:true finds the event in the channel (delivered once written).
   */
  get last(): number {
    return this.lastStored + this.unwritten.length;
  }
  /** Sequence of the oldest stored event (lastStored + 1 when none is stored). */
  get first(): number {
    return this.events[0]?.seq ?? this.lastStored + 1;
  }
  at(seq: number): StoredEvent | undefined {
    return this.events[seq - this.first];
  }
}

export interface EventsStoreEngineDeps {
  store: Store;
  clock: Clock;
  channels: ChannelRegistry;
  /** A message waits this long for room in a stalled subscriber, then is dropped and counted as acked (§2.2). */
  dropAfterMs: number;
  /** Events older than this are removed (STORE_MAX_RETENTION, §4); 0 = keep forever. */
  retentionMs?: number;
  /** Stan's ack wait for the server's subscriptions, in ms (§2.2; stan's default, 30 s, which the server keeps). */
  ackWaitMs: number;
  /** Stan's in-flight limit for them (§2.2; stan's default, 1024). */
  maxInflight: number;
}

/**
 * How far after a StartAtTime (or now minus a StartAtTimeDelta) a subscription starts (§2.2): the
 * time between the server's and stan's clock readings, taken at 1 ms, the less forgiving side.
 */
const START_TIME_SLACK_NS = 1_000_000n;

/** Stan's store looks for events past their age every second. */
const RETENTION_SWEEP_MS = 1000;
/** Sweeps between rewrites of the logs they trimmed (a log is read back and trimmed again at start). */
const SWEEPS_PER_LOG_TRIM = 60;

export class EventsStoreEngine {
  private readonly byName = new Map<string, StoreChannel>();
  /** The stan channels that exist, by lower-case name: a name differing only in case is refused (§2.2). */
  private readonly stanNames = new StanCaseIndex();
  private readonly durables = new Map<string, Durable>();
  private readonly durableLog: RecordLog;
  private durableRecords = 0;
  private readonly dirty = new Set<Durable>();
  private flushTimer: TimerHandle | undefined;
  /** Channels with acknowledged events not written yet. */
  private readonly unwritten = new Set<StoreChannel>();
  private writeTimer: TimerHandle | undefined;
  /** §6: set once a tab/CR/LF reached the shared publisher; every later send fails until restart. */
  private publisherBroken = false;
  private closed = false;
  private retentionTimer: TimerHandle | undefined;
  /** Channels whose log still holds events retention removed, and the sweeps since the last rewrite. */
  private readonly untrimmedLogs = new Set<StoreChannel>();
  private sweepsSinceLogTrim = 0;
  private readonly stan: StanDelivery;

  constructor(private readonly deps: EventsStoreEngineDeps) {
    this.stan = {
      ...deps, // clock, ackWaitMs, maxInflight, dropAfterMs
      changed: (d) => this.markDirty(d),
      delivered: (channel, bytes) => deps.channels.outgoing('events_store', channel, bytes),
    };
    this.durableLog = deps.store.log(DURABLES_LOG);
    for (const name of deps.store.names()) {
      if (name.startsWith(CHANNEL_LOG_PREFIX)) this.loadChannel(name.slice(CHANNEL_LOG_PREFIX.length));
    }
    this.loadDurables();
    if (deps.retentionMs) {
      this.applyRetention(); // what expired while the broker was down is gone before anyone subscribes
      this.scheduleRetention();
    }
  }

  /** Whether publishes are still accepted (false after the §6 control-character break). */
  get publisherUp(): boolean {
    return !this.publisherBroken;
  }

  /** Breaks the shared publisher (§6): the caller saw a tab, CR or LF in a channel. */
  breakPublisher(): void {
    this.publisherBroken = true;
  }

  channelNames(): string[] {
    return [...this.byName.keys()];
  }

  lastSequence(channel: string): number {
    return this.byName.get(channel)?.last ?? 0;
  }

  /**
   * The existing channel that `name` differs from only in case, when `name` itself does not exist:
   * newer stan refuses to create `name` then (§2.2).
   */
  caseConflict(name: string): string | undefined {
    return this.byName.has(name) ? undefined : this.stanNames.conflict(name);
  }

  /**
   * Takes one event for the next write batch, which stores and delivers it: the caller answers
   * Sent:true before the event is durable (§2.2). Stan silently refuses channels with `/` or empty
   * tokens, and the server answers Sent:true anyway, so those events are dropped here without an error.
   * So is an event to a channel that differs only in case from an existing one; for that one the
   * existing channel's name is returned, for the caller to log.
   */
  publish(input: PublishInput): string | undefined {
    if (this.closed) return undefined;
    this.deps.channels.incoming('events_store', input.Channel, input.Body.length);
    if (!isStanChannelValid(input.Channel)) return undefined; // §2.2: Sent:true, never stored
    const existing = this.caseConflict(input.Channel);
    if (existing !== undefined) return existing; // §2.2: Sent:true, stan's refusal goes to an ack nobody reads
    const ch = this.channel(input.Channel, true)!;
    const seq = ch.last + 1;
    const ts = this.deps.clock.nowNs();
    const bytes = Buffer.from(
      EventReceive.encode({
        EventID: input.EventID,
        Channel: input.Channel,
        Metadata: input.Metadata,
        Body: input.Body,
        Timestamp: ts,
        Sequence: BigInt(seq),
        Tags: input.Tags,
      }).finish(),
    );
    ch.unwritten.push({ seq, ts, bytes });
    this.unwritten.add(ch);
    this.writeTimer ??= this.deps.clock.setTimeout(() => {
      this.writeTimer = undefined;
      this.writeEvents();
    }, EVENT_WRITE_BATCH_MS);
    return undefined;
  }

  /** Writes every acknowledged event in one append per channel, then delivers them. */
  private writeEvents(): void {
    const channels = [...this.unwritten];
    this.unwritten.clear();
    for (const ch of channels) {
      const batch = ch.unwritten;
      ch.unwritten = [];
      ch.log?.append(...batch.map((e) => e.bytes));
      for (const e of batch) ch.events.push(e);
      ch.lastStored += batch.length;
    }
    for (const ch of channels) for (const d of ch.durables) if (d.members.length > 0) d.pump();
  }

  /**
   * Adds a subscriber. The durable is keyed by (ClientID, channel) without a group and by
   * (channel, group) with one (§2.2); an existing durable resumes and ignores the start position.
   * Returns the function that removes the subscriber (the durable stays).
   */
  subscribe(lease: ClientLease, input: SubscribeInput, target: StoreTarget): () => void {
    // Stan looks up or creates the channel first, so a durable refused below still creates it.
    const existing = this.caseConflict(input.channel);
    if (existing !== undefined) throw new StanError('channel-case', EVENTS_STORE_PREFIX + input.channel, EVENTS_STORE_PREFIX + existing);
    const ch = this.channel(input.channel, true)!;
    if (input.group !== '' && (input.channel.includes(':') || input.group.includes(':'))) {
      // §2.2/§6: the durable queue name "<ch>-<group>:<group>" may not contain ':'
      throw new StanError('durable-colon');
    }
    const key = input.group === '' ? `c\u0000${lease.clientId}\u0000${input.channel}` : `g\u0000${input.channel}\u0000${input.group}`;
    let d = this.durables.get(key);
    if (!d || d.source !== ch) {
      d = new Durable(key, ch, this.startSequence(ch, input.startType, input.startValue), input.group !== '', this.stan);
      this.durables.set(key, d);
      this.markDirty(d);
    }
    ch.durables.add(d);
    this.deps.channels.subscribed('events_store', input.channel, 1);
    const durable = d;
    const member = d.join(target);
    // A group's members are written at once, as stan stores a subscription before it answers: one
    // still there at a kill comes back as a dead member.
    if (d.grouped) this.writeNow(d);
    return () => {
      if (!member.active) return;
      durable.leave(member);
      if (durable.grouped) this.writeNow(durable);
      this.deps.channels.subscribed('events_store', input.channel, -1);
    };
  }

  /** Forgets a channel: its events, its file and its durables (channel management delete). */
  deleteChannel(name: string): boolean {
    const ch = this.byName.get(name);
    if (!ch) return false;
    this.byName.delete(name);
    this.stanNames.remove(name);
    this.unwritten.delete(ch);
    this.untrimmedLogs.delete(ch);
    for (const d of ch.durables) {
      d.close();
      this.durables.delete(d.key);
      this.dirty.delete(d);
    }
    if (ch.log) this.deps.store.remove(CHANNEL_LOG_PREFIX + name);
    this.compactDurables();
    return true;
  }

  /** Makes a channel known without an event (channel management create); not one stan would refuse for its case. */
  createChannel(name: string): void {
    if (this.caseConflict(name) === undefined) this.channel(name, true);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.writeTimer) this.deps.clock.clearTimeout(this.writeTimer);
    if (this.flushTimer) this.deps.clock.clearTimeout(this.flushTimer);
    if (this.retentionTimer) this.deps.clock.clearTimeout(this.retentionTimer);
    this.trimLogs();
    this.writeEvents(); // a graceful stop loses no acknowledged event
    // The server's handlers close their subscriptions as the gRPC stop ends their streams, before
    // stan stops: only the members dead since an earlier kill stay.
    for (const d of this.durables.values()) {
      for (const m of d.liveMembers) d.leave(m);
      if (d.grouped) this.markDirty(d);
    }
    this.flushDurables();
    for (const d of this.durables.values()) d.close();
  }

  /** Removes events older than the retention (stan MaxAge, §4); sequences go on from where they were. */
  applyRetention(): void {
    const retention = this.deps.retentionMs;
    if (!retention) return;
    const cutoff = this.deps.clock.nowNs() - BigInt(retention) * 1_000_000n;
    for (const ch of this.byName.values()) {
      if (ch.events.length === 0 || ch.events[0]!.ts >= cutoff) continue;
      let keep = 0;
      while (keep < ch.events.length && ch.events[keep]!.ts < cutoff) keep++;
      ch.events = ch.events.slice(keep);
      if (ch.log) this.untrimmedLogs.add(ch);
    }
    if (++this.sweepsSinceLogTrim >= SWEEPS_PER_LOG_TRIM) this.trimLogs();
  }

  /** Rewrites the logs that still hold removed events. */
  private trimLogs(): void {
    this.sweepsSinceLogTrim = 0;
    for (const ch of this.untrimmedLogs) {
      const records: Uint8Array[] = ch.events.map((e) => e.bytes);
      // An empty channel keeps its last sequence in a marker record.
      if (records.length === 0) records.push(EventReceive.encode(EventReceive.fromPartial({ Sequence: BigInt(ch.lastStored) })).finish());
      ch.log?.rewrite(records);
    }
    this.untrimmedLogs.clear();
  }

  private scheduleRetention(): void {
    this.retentionTimer = this.deps.clock.setTimeout(() => {
      this.applyRetention();
      if (!this.closed) this.scheduleRetention();
    }, Math.min(RETENTION_SWEEP_MS, this.deps.retentionMs ?? RETENTION_SWEEP_MS));
  }

  /** §2.2 start positions, resolved to the first sequence to deliver. */
  private startSequence(ch: StoreChannel, type: number, value: bigint): number {
    const next = ch.last + 1;
    switch (type) {
      case StartType.StartFromFirst:
        return ch.first;
      case StartType.StartFromLast:
        return ch.events.length + ch.unwritten.length > 0 ? ch.last : next; // the last event, then new ones
      case StartType.StartAtSequence:
        return value > BigInt(next) ? next : Number(value); // §6: beyond the last → the next new event
      case StartType.StartAtTime:
        return this.firstAfter(ch, value); // Unix ns; a future time → nothing until new events
      case StartType.StartAtTimeDelta:
        // Seconds, turned into int64 nanoseconds as the server does: a larger delta wraps around.
        return this.firstAfter(ch, this.deps.clock.nowNs() - BigInt.asIntN(64, value * 1_000_000_000n));
      default:
        // StartNewOnly; §6: type 7 is accepted and behaves as stan's default, new only.
        return next;
    }
  }

  /**
   * The first event stored after `ns` + START_TIME_SLACK_NS. The server turns a time into a delta
   * from its clock and stan turns it back from a later reading, so it starts a little after `ns`.
   */
  private firstAfter(ch: StoreChannel, ns: bigint): number {
    const from = ns + START_TIME_SLACK_NS + 1n;
    return firstEventAtOrAfter(ch.events, from)?.seq ?? firstEventAtOrAfter(ch.unwritten, from)?.seq ?? ch.last + 1;
  }

  private channel(name: string, create: boolean): StoreChannel | undefined {
    let ch = this.byName.get(name);
    if (!ch && create) {
      const valid = isStanChannelValid(name);
      ch = new StoreChannel(name, valid ? this.deps.store.log(CHANNEL_LOG_PREFIX + name) : undefined);
      this.byName.set(name, ch);
      if (valid) this.stanNames.add(name);
      this.deps.channels.touch('events_store', name);
    }
    return ch;
  }

  private loadChannel(name: string): void {
    const ch = new StoreChannel(name, this.deps.store.log(CHANNEL_LOG_PREFIX + name));
    for (const rec of ch.log!.replay()) {
      const ev = EventReceive.decode(rec);
      ch.lastStored = Number(ev.Sequence);
      if (ev.EventID === '' && ev.Channel === '') continue; // a sequence marker left by retention
      ch.events.push({ seq: ch.lastStored, ts: ev.Timestamp, bytes: Buffer.from(rec) });
    }
    this.byName.set(name, ch);
    this.stanNames.add(name);
    this.deps.channels.touch('events_store', name);
  }

  private loadDurables(): void {
    const latest = new Map<string, DurableRecord>();
    for (const rec of this.durableLog.replay()) {
      const record = JSON.parse(Buffer.from(rec).toString('utf8')) as DurableRecord;
      latest.set(record.k, record);
      this.durableRecords++;
    }
    for (const [key, { s: next, p: pending, m: members }] of latest) {
      if (next === null) continue;
      const grouped = key.startsWith('g\u0000');
      const channelName = key.split('\u0000')[grouped ? 1 : 2]!;
      const ch = this.channel(channelName, true)!;
      const d = new Durable(key, ch, next, grouped, this.stan);
      d.held = pending ?? []; // stan sends them again to the next subscriber
      // Members subscribed at a kill: stan recovers them, and their clients, as connected.
      for (const m of members ?? []) d.recoverDead(m.p, m.f, m.a);
      this.durables.set(key, d);
      ch.durables.add(d);
    }
  }

  /** Writes `d`'s record now (a group's members changed). */
  private writeNow(d: Durable): void {
    this.markDirty(d);
    if (this.flushTimer) this.deps.clock.clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushDurables();
  }

  /** Durable positions are written in batches (at-least-once after a kill, like stan's redelivery). */
  private markDirty(d: Durable): void {
    if (!this.deps.store.durable) return;
    this.dirty.add(d);
    if (!this.flushTimer && !this.closed) {
      this.flushTimer = this.deps.clock.setTimeout(() => {
        this.flushTimer = undefined;
        this.flushDurables();
      }, DURABLE_FLUSH_MS);
    }
  }

  private flushDurables(): void {
    if (this.dirty.size === 0) return;
    const recs: Uint8Array[] = [];
    for (const d of this.dirty) recs.push(durableRecord(d));
    this.dirty.clear();
    this.durableLog.append(...recs);
    this.durableRecords += recs.length;
    if (this.durableRecords > 1000 + 4 * this.durables.size) this.compactDurables();
  }

  private compactDurables(): void {
    if (!this.deps.store.durable) return;
    const recs: Uint8Array[] = [];
    for (const d of this.durables.values()) recs.push(durableRecord(d));
    this.durableLog.rewrite(recs);
    this.durableRecords = recs.length;
  }
}

/**
 * A durable's record: its key, the next sequence stan sends (null: deleted), what it has
 * unacknowledged with no member (all of it, in a record without `m`), and a group's members in
 * stan's order, each with its in-flight limit, ack wait and unacknowledged events.
 */
interface DurableRecord {
  k: string;
  s: number | null;
  p?: number[];
  m?: MemberRecord[];
}

interface MemberRecord {
  f: number;
  a: number;
  p: number[];
}

function durableRecord(d: Durable): Buffer {
  const record: DurableRecord = { k: d.key, s: d.nextSeq };
  if (d.grouped) {
    if (d.held.length > 0) record.p = d.held;
    if (d.members.length > 0) {
      record.m = d.members.map((m) => ({ f: m.maxInflight, a: m.ackWaitMs, p: [...m.unacked.keys()].sort((x, y) => x - y) }));
    }
  } else {
    const pending = d.pending;
    if (pending.length > 0) record.p = pending;
  }
  return Buffer.from(JSON.stringify(record), 'utf8');
}

/** The first of `events` (in time order) stored at or after `ns`, by binary search. */
function firstEventAtOrAfter(events: readonly StoredEvent[], ns: bigint): StoredEvent | undefined {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.ts < ns) lo = mid + 1;
    else hi = mid;
  }
  return events[lo];
}
