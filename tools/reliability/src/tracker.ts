// Per-workload bookkeeping: what the producer had confirmed (and when), what the consumer got,
// how often, in which order, and how fast, with latency and errors sorted into steady state and
// outages as they happen. Sequences are dense integers, so per-message state lives in chunked
// typed arrays (about 14 bytes a message), not in Sets: the burn-in's RSS verdict must measure the
// SDK, not this table.
import { KubemqError } from '@kubemq/core';
import { Histogram } from './histogram.js';
import { affectedByOutage, missingInOutage, nextOutage, type Outage, type OutageMark } from './outage-window.js';

const CHUNK = 65_536;
const CONFIRMED = 1;
const FAILED = 2;

class SeqTable {
  readonly flags: Uint8Array[] = [];
  readonly received: Uint8Array[] = [];
  readonly sentAt: Float64Array[] = [];
  /** ms from the send to its confirmation (the send promise resolving). */
  readonly confirmMs: Float32Array[] = [];

  #ensure(seq: number): [number, number] {
    const c = Math.floor(seq / CHUNK);
    while (this.flags.length <= c) {
      this.flags.push(new Uint8Array(CHUNK));
      this.received.push(new Uint8Array(CHUNK));
      this.sentAt.push(new Float64Array(CHUNK));
      this.confirmMs.push(new Float32Array(CHUNK));
    }
    return [c, seq % CHUNK];
  }

  setSentAt(seq: number, at: number): void {
    const [c, i] = this.#ensure(seq);
    (this.sentAt[c] as Float64Array)[i] = at;
  }
  setConfirmMs(seq: number, ms: number): void {
    const [c, i] = this.#ensure(seq);
    (this.confirmMs[c] as Float32Array)[i] = ms;
  }
  flag(seq: number, f: number): void {
    const [c, i] = this.#ensure(seq);
    const flags = this.flags[c] as Uint8Array;
    flags[i] = (flags[i] as number) | f;
  }
  /** Returns the receive count before this one. */
  receive(seq: number): number {
    const [c, i] = this.#ensure(seq);
    const arr = this.received[c] as Uint8Array;
    const before = arr[i] as number;
    if (before < 255) arr[i] = before + 1;
    return before;
  }
  get(seq: number): { flags: number; received: number; sentAt: number; confirmMs: number } {
    const [c, i] = this.#ensure(seq);
    return {
      flags: (this.flags[c] as Uint8Array)[i] as number,
      received: (this.received[c] as Uint8Array)[i] as number,
      sentAt: (this.sentAt[c] as Float64Array)[i] as number,
      confirmMs: (this.confirmMs[c] as Float32Array)[i] as number,
    };
  }
}

/** A confirmed message the consumer never got. */
export interface MissingMessage {
  seq: number;
  sentAt: number;
  /** When the send promise resolved (for events-store: with the broker's `Sent: true`). */
  confirmedAt: number;
  /** The first outage whose signal came at or after the send (the only ones that can have stranded it). */
  nextOutage: number | undefined;
}

export interface LatencySummary {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  count: number;
}

/** Missing messages listed one by one in a report; past this only the counts are kept. */
export const MAX_LISTED_MISSING = 2000;

export interface Recovery {
  /** ms from the broker's return to this workload's first delivery (undefined: never). */
  ms: number | undefined;
  /** sendAt of that first delivery: messages sent before it may have missed the subscription. */
  firstSentAt: number | undefined;
}

export interface WorkloadReport {
  name: string;
  /** Sends issued. */
  attempted: number;
  /** Sends the SDK confirmed (for commands/queries: answered). */
  sent: number;
  /** Distinct confirmed-or-not messages the consumer got. */
  received: number;
  /**
   * Confirmed sends the consumer never got. Whether each is lost, or stranded, at-most-once or
   * unpersisted by the broker's design, is loss-account.ts's call.
   */
  missing: number;
  /** Of `missing`: sent within an outage window (1 s before a signal up to 5 s after the broker's return). */
  missingDuringOutages: number;
  /** `missing` per outage, by the first signal at or after the send (`missingAfterOutages`: sent after the last signal). */
  missingByOutage: number[];
  missingAfterOutages: number;
  /** The missing messages, the first MAX_LISTED_MISSING of them. */
  missingMessages: MissingMessage[];
  duplicated: number;
  outOfOrder: number;
  /** Sends that failed with a KubemqError (by code) / with anything else. */
  errors: number;
  /** Of `errors + untypedErrors`: sends in flight at a signal or sent during an outage window. */
  errorsDuringOutages: number;
  errorCodes: Record<string, number>;
  untypedErrors: number;
  /** Sends still unsettled at the end (a hang, when past their timeout). */
  hung: number;
  /** Ticks skipped because too many sends were in flight (the rate was not met). */
  skipped: number;
  /** Consumer-side errors (a subscription that ended, a failed receive). */
  consumerErrors: number;
  recoveries: Recovery[];
  /** Latency of messages not affected by any outage, and of those affected (see affectedByOutage). */
  latency: { steady: LatencySummary; outage: LatencySummary };
  /** First untyped error / consumer error, for the report. */
  samples: string[];
}

export class Tracker {
  readonly name: string;
  readonly steadyLatency = new Histogram();
  readonly outageLatency = new Histogram();
  readonly #table = new SeqTable();
  readonly #outages: OutageMark[] = [];
  #next = 0;
  #confirmed = 0;
  #received = 0;
  #confirmedReceived = 0;
  #duplicated = 0;
  #outOfOrder = 0;
  #maxSeen = -1;
  #errors = 0;
  #errorsDuringOutages = 0;
  #untyped = 0;
  #inFlight = 0;
  #skipped = 0;
  #consumerErrors = 0;
  readonly #errorCodes: Record<string, number> = {};
  readonly #samples: string[] = [];
  readonly #recoveries: (Recovery & { backAt: number })[] = [];

  constructor(name: string) {
    this.name = name;
  }

  get inFlight(): number {
    return this.#inFlight;
  }
  /** Ticks so far: sends issued plus ticks skipped. */
  get scheduled(): number {
    return this.#next + this.#skipped;
  }
  get confirmedCount(): number {
    return this.#confirmed;
  }
  get receivedCount(): number {
    return this.#received;
  }

  /** A new send: returns its sequence. */
  issue(now: number): number {
    const seq = this.#next++;
    this.#table.setSentAt(seq, now);
    this.#inFlight++;
    return seq;
  }

  skip(): void {
    this.#skipped++;
  }

  /** The send of `seq` resolved at `now`; `latencyMs` for workloads measured at confirmation. */
  confirm(seq: number, now: number, latencyMs?: number): void {
    this.#inFlight--;
    this.#confirmed++;
    this.#table.flag(seq, CONFIRMED);
    const { received, sentAt } = this.#table.get(seq);
    this.#table.setConfirmMs(seq, now - sentAt);
    if (received > 0) this.#confirmedReceived++;
    if (latencyMs !== undefined) this.#recordLatency(sentAt, now, latencyMs);
  }

  fail(seq: number, err: unknown, now: number): void {
    this.#inFlight--;
    this.#table.flag(seq, FAILED);
    if (affectedByOutage(this.#table.get(seq).sentAt, now, this.#outages)) this.#errorsDuringOutages++;
    if (KubemqError.isKubemqError(err)) {
      this.#errors++;
      this.#errorCodes[err.code] = (this.#errorCodes[err.code] ?? 0) + 1;
    } else {
      this.#untyped++;
      this.#sample(`untyped send error: ${String(err)}`);
    }
  }

  consumerError(err: unknown): void {
    this.#consumerErrors++;
    this.#sample(`consumer: ${KubemqError.isKubemqError(err) ? `${err.code} ${err.message}` : String(err)}`);
  }

  /** The consumer got `seq`, sent at `sentAt` (same clock). */
  deliver(seq: number, now: number, latencyMs?: number): void {
    if (seq < 0 || seq >= this.#next) return;
    const before = this.#table.receive(seq);
    for (const r of this.#recoveries) {
      if (r.ms === undefined && now >= r.backAt) {
        r.ms = now - r.backAt;
        r.firstSentAt = this.#table.get(seq).sentAt;
      }
    }
    if (before > 0) {
      this.#duplicated++;
      return;
    }
    this.#received++;
    const { flags, sentAt } = this.#table.get(seq);
    if (flags & CONFIRMED) this.#confirmedReceived++;
    if (seq < this.#maxSeen) this.#outOfOrder++;
    else this.#maxSeen = seq;
    if (latencyMs !== undefined) this.#recordLatency(sentAt, now, latencyMs);
  }

  /** A signal was sent to the broker: the outage starts. */
  brokerDown(signalAt: number): void {
    this.#outages.push({ signalAt, backAt: undefined });
  }

  /** The broker came back: the outage's grace period starts, and the next delivery measures this workload's recovery. */
  brokerBack(backAt: number): void {
    const current = this.#outages.at(-1);
    if (current && current.backAt === undefined) current.backAt = backAt;
    this.#recoveries.push({ backAt, ms: undefined, firstSentAt: undefined });
  }

  /** Every confirmed send was received (nothing is left to wait for). */
  caughtUp(): boolean {
    return this.#confirmedReceived >= this.#confirmed && this.#inFlight === 0;
  }

  report(outages: readonly Outage[]): WorkloadReport {
    let missing = 0;
    let missingDuringOutages = 0;
    let missingAfterOutages = 0;
    const missingByOutage = outages.map(() => 0);
    const missingMessages: MissingMessage[] = [];
    for (let seq = 0; seq < this.#next; seq++) {
      const { flags, received, sentAt, confirmMs } = this.#table.get(seq);
      if (!(flags & CONFIRMED) || received > 0) continue;
      missing++;
      if (missingInOutage(sentAt, outages)) missingDuringOutages++;
      const next = nextOutage(sentAt, outages);
      if (next === undefined) missingAfterOutages++;
      else missingByOutage[next] = (missingByOutage[next] as number) + 1;
      if (missingMessages.length < MAX_LISTED_MISSING) missingMessages.push({ seq, sentAt, confirmedAt: sentAt + confirmMs, nextOutage: next });
    }
    return {
      name: this.name,
      attempted: this.#next,
      sent: this.#confirmed,
      received: this.#received,
      missing,
      missingDuringOutages,
      missingByOutage,
      missingAfterOutages,
      missingMessages,
      duplicated: this.#duplicated,
      outOfOrder: this.#outOfOrder,
      errors: this.#errors,
      errorsDuringOutages: this.#errorsDuringOutages,
      errorCodes: { ...this.#errorCodes },
      untypedErrors: this.#untyped,
      hung: this.#inFlight,
      skipped: this.#skipped,
      consumerErrors: this.#consumerErrors,
      recoveries: this.#recoveries.map(({ ms, firstSentAt }) => ({ ms, firstSentAt })),
      latency: { steady: summarize(this.steadyLatency), outage: summarize(this.outageLatency) },
      samples: [...this.#samples],
    };
  }

  #recordLatency(sentAt: number, doneAt: number, latencyMs: number): void {
    (affectedByOutage(sentAt, doneAt, this.#outages) ? this.outageLatency : this.steadyLatency).record(latencyMs);
  }

  #sample(line: string): void {
    if (this.#samples.length < 5) this.#samples.push(line);
  }
}

function summarize(h: Histogram): LatencySummary {
  return { p50: h.percentile(0.5), p99: h.percentile(0.99), p999: h.percentile(0.999), max: h.max, count: h.count };
}
