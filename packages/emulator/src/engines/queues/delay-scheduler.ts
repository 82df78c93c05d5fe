// The delay scheduler, the emulator's `_QUEUE_DELAY_` (§2.4): delayed messages of every queue
// wait in one heap, and a scan every `intervalMs` hands the due ones back to the send path
// (new sequence, `DelayedTo` 0, expiration counted from the re-send). Its own log,
// `queue-delay`, keeps them across restarts.
import type { Clock, TimerHandle } from '../../clock.js';
import type { QueueMessage } from '../../generated/kubemq.js';
import type { RecordLog, Store } from '../../store/store.js';
import { appendAll, shouldCompact, type LogSwitch } from './queue-log.js';
import { MinHeap } from './ready-queue.js';
import { RecordKind, decodeRecord, encodeAck, encodeMessage } from './records.js';

const DELAY_LOG = 'queue-delay';

interface DelayedEntry {
  /** Its key in the delay log. */
  id: number;
  /** `Attributes.DelayedTo`, Unix ns. */
  due: bigint;
  msg: QueueMessage;
}

export interface DelaySchedulerDeps {
  store: Store;
  clock: Clock;
  /** How often due messages are looked for, in ms. */
  intervalMs: number;
  logSwitch: LogSwitch;
  /** Sends a due message again, its attributes cleared and its DelaySeconds 0. */
  resend(msg: QueueMessage): void;
}

export class DelayScheduler {
  private readonly heap = new MinHeap<DelayedEntry>((a, b) => a.due < b.due || (a.due === b.due && a.id < b.id));
  private handle: RecordLog | undefined;
  private nextId = 1;
  private settledInLog = 0;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly deps: DelaySchedulerDeps) {}

  /** Messages waiting for their delay. */
  get size(): number {
    return this.heap.size;
  }

  /** Holds messages until their `Attributes.DelayedTo` (one log append for all of them). */
  hold(msgs: readonly QueueMessage[]): void {
    const records: Uint8Array[] = [];
    for (const msg of msgs) {
      const id = this.nextId++;
      if (this.deps.logSwitch.writing) records.push(encodeMessage(msg, id));
      this.heap.push({ id, due: msg.Attributes?.DelayedTo ?? 0n, msg });
    }
    if (records.length > 0) appendAll(this.log, records);
    this.arm();
  }

  /** Rebuilds the delayed messages from the log (those not re-sent yet) and starts the scan. */
  replay(): void {
    if (!this.deps.store.names().includes(DELAY_LOG)) return;
    const live = new Map<number, DelayedEntry>();
    for (const bytes of this.log.replay()) {
      const rec = decodeRecord(bytes);
      if (!rec) continue;
      if (rec.kind === RecordKind.Message) {
        live.set(rec.id, { id: rec.id, due: rec.msg.Attributes?.DelayedTo ?? 0n, msg: rec.msg });
        if (rec.id >= this.nextId) this.nextId = rec.id + 1;
      } else if (rec.kind === RecordKind.Ack) {
        for (const id of rec.ids) live.delete(id);
        this.settledInLog += rec.ids.length;
      }
    }
    for (const d of live.values()) this.heap.push(d);
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

  private arm(): void {
    if (this.stopped || this.timer !== undefined || this.heap.size === 0) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      this.scan();
      this.arm();
    }, this.deps.intervalMs);
  }

  /** One scan: every message due before now is re-sent; the log acks them and may be rewritten. */
  private scan(): void {
    const now = this.deps.clock.nowNs();
    const due: DelayedEntry[] = [];
    while (this.heap.size > 0 && (this.heap.peek() as DelayedEntry).due < now) due.push(this.heap.pop() as DelayedEntry);
    if (due.length === 0) return;
    for (const { msg } of due) {
      msg.Attributes = undefined;
      if (msg.Policy) msg.Policy.DelaySeconds = 0;
      this.deps.resend(msg);
    }
    if (!this.deps.logSwitch.writing) return;
    this.log.append(encodeAck(due.map((d) => d.id)));
    this.settledInLog += due.length;
    if (shouldCompact(this.settledInLog, this.heap.size)) {
      const rest = [...this.heap.values()].sort((a, b) => a.id - b.id);
      this.log.rewrite(rest.map((d) => encodeMessage(d.msg, d.id)));
      this.settledInLog = 0;
    }
  }
}
