// The delay scheduler, the emulator's `_QUEUE_DELAY_` (§2.4): delayed messages of every queue
// wait in one channel, and a scan every `intervalMs` hands the due ones back to the send path
// (new sequence, `DelayedTo` 0, expiration counted from the re-send). Its own log,
// `queue-delay`, keeps them across restarts.
//
// The server's scan reads that channel through a subscription with stan's in-flight limit and
// keeps what it read in a map keyed by MessageID, and the emulator does the same:
// - it holds at most `inFlightLimit` messages; the next ones wait, in send order, until a held
//   one is re-sent, however short their own delay;
// - a message read while another with its MessageID is held takes that one's place; the
//   displaced one keeps its in-flight slot, unacked, until the subscription's ack wait
//   (`ackWaitMs`) sends it to the scan again;
// - the channel's retention (`retentionMs`) deletes what the scan has not read by then, unread or
//   displaced: with the defaults (24 h each) a displaced message is gone before its ack wait ends.
import type { Clock, TimerHandle } from '../../clock.js';
import type { QueueMessage } from '../../generated/kubemq.js';
import type { RecordLog, Store } from '../../store/store.js';
import { appendAll, shouldCompact, type LogSwitch } from './queue-log.js';
import { Ring } from '../ring.js';
import { MinHeap } from './min-heap.js';
import { RecordKind, decodeRecord, encodeAck, encodeMessage } from './records.js';

const DELAY_LOG = 'queue-delay';
const NS_PER_MS = 1_000_000n;
const NS_PER_S = 1_000_000_000n;

/** Where a delayed message is: in the channel, in the scan's map, displaced from it, or gone. */
type DelayState = 'waiting' | 'held' | 'displaced' | 'resent' | 'expired';

interface DelayedEntry {
  /** Its key in the delay log, in send order. */
  readonly id: number;
  /** `Attributes.DelayedTo`, Unix ns. */
  readonly due: bigint;
  readonly msg: QueueMessage;
  state: DelayState;
  /** When the scan last read it, Unix ns: its ack wait counts from then. */
  readAt: bigint;
}

/** A displaced message and the time its ack wait runs out. */
interface Redelivery {
  readonly entry: DelayedEntry;
  readonly at: bigint;
}

export interface DelaySchedulerDeps {
  store: Store;
  clock: Clock;
  /** How often due messages are looked for, in ms. */
  intervalMs: number;
  /** Most messages the scan holds (and displaced ones it has not acked) at once. */
  inFlightLimit: number;
  /** How long a displaced message waits before the scan reads it again, in ms. */
  ackWaitMs: number;
  /** The channel's retention, counted from each message's send, in ms; 0 = none. */
  retentionMs: number;
  logSwitch: LogSwitch;
  /** Sends a due message again, its attributes cleared and its DelaySeconds 0. */
  resend(msg: QueueMessage): void;
}

export class DelayScheduler {
  /** Every message not re-sent yet, in send order. */
  private readonly live = new Map<number, DelayedEntry>();
  /** Sent, not yet read by the scan (over the in-flight limit). */
  private readonly waiting = new Ring<DelayedEntry>();
  /** The scan's map: one held message per MessageID. */
  private readonly held = new Map<string, DelayedEntry>();
  /** Held messages by due time; entries no longer held are skipped when they come up. */
  private readonly dueOrder = new MinHeap<DelayedEntry>((a, b) => a.due < b.due || (a.due === b.due && a.id < b.id));
  private readonly redeliveries = new MinHeap<Redelivery>((a, b) => a.at < b.at);
  /** Held plus displaced: what the subscription has delivered and not had acked. */
  private inFlight = 0;
  /** Log ids re-sent or expired since the log last heard of it. */
  private settled: number[] = [];
  private readonly ackWaitNs: bigint;
  private readonly retentionNs: bigint;
  private handle: RecordLog | undefined;
  private nextId = 1;
  private settledInLog = 0;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly deps: DelaySchedulerDeps) {
    this.ackWaitNs = BigInt(deps.ackWaitMs) * NS_PER_MS;
    this.retentionNs = BigInt(deps.retentionMs) * NS_PER_MS;
  }

  /** Messages waiting for their delay (held, displaced, or not read yet). */
  get size(): number {
    return this.live.size;
  }

  /** Puts messages on the delay channel (one log append for all of them). */
  put(msgs: readonly QueueMessage[]): void {
    const records: Uint8Array[] = [];
    for (const msg of msgs) {
      const id = this.nextId++;
      if (this.deps.logSwitch.writing) records.push(encodeMessage(msg, id));
      this.enqueue({ id, due: msg.Attributes?.DelayedTo ?? 0n, msg, state: 'waiting', readAt: 0n });
    }
    if (records.length > 0) appendAll(this.log, records);
    this.readWaiting(this.deps.clock.nowNs());
    this.logSettled();
    this.arm();
  }

  /**
   * Rebuilds the delayed messages from the log (those not re-sent yet) and starts the scan. The
   * subscription delivers them again in send order, under the same limit and the same map.
   */
  replay(): void {
    if (!this.deps.store.names().includes(DELAY_LOG)) return;
    const live = new Map<number, DelayedEntry>();
    for (const bytes of this.log.replay()) {
      const rec = decodeRecord(bytes);
      if (!rec) continue;
      if (rec.kind === RecordKind.Message) {
        live.set(rec.id, { id: rec.id, due: rec.msg.Attributes?.DelayedTo ?? 0n, msg: rec.msg, state: 'waiting', readAt: 0n });
        if (rec.id >= this.nextId) this.nextId = rec.id + 1;
      } else if (rec.kind === RecordKind.Ack) {
        for (const id of rec.ids) live.delete(id);
        this.settledInLog += rec.ids.length;
      }
    }
    for (const entry of [...live.values()].sort((a, b) => a.id - b.id)) this.enqueue(entry);
    this.readWaiting(this.deps.clock.nowNs());
    this.logSettled();
    this.arm();
  }

  /** Stops the scan for good (the messages stay in the log). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private get log(): RecordLog {
    this.handle ??= this.deps.store.log(DELAY_LOG);
    return this.handle;
  }

  private enqueue(entry: DelayedEntry): void {
    this.live.set(entry.id, entry);
    this.waiting.push(entry);
  }

  /** The subscription delivers from the channel while it is under its in-flight limit. */
  private readWaiting(now: bigint): void {
    while (this.inFlight < this.deps.inFlightLimit && this.waiting.size > 0) {
      const entry = this.waiting.shift() as DelayedEntry;
      if (this.expire(entry, now)) continue;
      this.inFlight++;
      this.read(entry, now);
    }
  }

  /** Drops a message retention deleted from the channel before the scan could read it. */
  private expire(entry: DelayedEntry, now: bigint): boolean {
    const sentAt = entry.due - BigInt(entry.msg.Policy?.DelaySeconds ?? 0) * NS_PER_S;
    if (this.retentionNs === 0n || sentAt + this.retentionNs > now) return false;
    this.settle(entry, 'expired');
    return true;
  }

  private settle(entry: DelayedEntry, state: 'resent' | 'expired'): void {
    entry.state = state;
    this.live.delete(entry.id);
    this.settled.push(entry.id);
  }

  /** The scan stores a delivered message under its MessageID, displacing any held there. */
  private read(entry: DelayedEntry, now: bigint): void {
    const key = entry.msg.MessageID;
    const displaced = this.held.get(key);
    if (displaced) {
      displaced.state = 'displaced';
      this.redeliveries.push({ entry: displaced, at: displaced.readAt + this.ackWaitNs });
    }
    this.held.set(key, entry);
    entry.state = 'held';
    entry.readAt = now;
    this.dueOrder.push(entry);
  }

  private arm(): void {
    if (this.stopped || this.timer !== undefined || this.live.size === 0) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      this.scan();
      this.arm();
    }, this.deps.intervalMs);
  }

  /**
   * One scan: every held message due before now is re-sent and acked, which frees room for the
   * next ones in the channel. Displaced messages whose ack wait ran out are read again, to be
   * re-sent by the next scan, unless retention deleted them first.
   */
  private scan(): void {
    const now = this.deps.clock.nowNs();
    const due: DelayedEntry[] = [];
    while (this.dueOrder.size > 0 && (this.dueOrder.peek() as DelayedEntry).due < now) {
      const entry = this.dueOrder.pop() as DelayedEntry;
      // Displaced since; or the second heap entry of a message displaced and read again before
      // its due time (an ack wait shorter than the delay), the first having re-sent it.
      if (entry.state !== 'held') continue;
      this.held.delete(entry.msg.MessageID);
      this.settle(entry, 'resent');
      due.push(entry);
    }
    this.inFlight -= due.length;
    for (const { msg } of due) {
      msg.Attributes = undefined;
      if (msg.Policy) msg.Policy.DelaySeconds = 0;
      this.deps.resend(msg);
    }
    // Taken out first: reading one may displace another, whose ack wait starts now.
    const redelivered: DelayedEntry[] = [];
    while (this.redeliveries.size > 0 && (this.redeliveries.peek() as Redelivery).at <= now) {
      redelivered.push((this.redeliveries.pop() as Redelivery).entry);
    }
    for (const entry of redelivered) {
      if (this.expire(entry, now)) this.inFlight--;
      else this.read(entry, now);
    }
    this.readWaiting(now);
    this.logSettled();
  }

  /** Acks in the log what was re-sent or expired; the log may then be rewritten. */
  private logSettled(): void {
    if (this.settled.length === 0) return;
    const ids = this.settled;
    this.settled = [];
    if (!this.deps.logSwitch.writing) return;
    this.log.append(encodeAck(ids));
    this.settledInLog += ids.length;
    if (shouldCompact(this.settledInLog, this.live.size)) {
      this.log.rewrite([...this.live.values()].map((d) => encodeMessage(d.msg, d.id)));
      this.settledInLog = 0;
    }
  }
}
