// Per-workload bookkeeping: what the producer had confirmed, what the consumer got, how often,
// in which order, and how fast. Sequences are dense integers, so per-message state lives in
// chunked typed arrays (about 10 bytes a message), not in Sets: the burn-in's RSS verdict must
// measure the SDK, not this table.
import { KubemqError } from '@kubemq/core';
import { Histogram } from './histogram.js';

const CHUNK = 65_536;
const CONFIRMED = 1;
const FAILED = 2;

class SeqTable {
  readonly flags: Uint8Array[] = [];
  readonly received: Uint8Array[] = [];
  readonly sentAt: Float64Array[] = [];

  #ensure(seq: number): [number, number] {
    const c = Math.floor(seq / CHUNK);
    while (this.flags.length <= c) {
      this.flags.push(new Uint8Array(CHUNK));
      this.received.push(new Uint8Array(CHUNK));
      this.sentAt.push(new Float64Array(CHUNK));
    }
    return [c, seq % CHUNK];
  }

  setSentAt(seq: number, at: number): void {
    const [c, i] = this.#ensure(seq);
    (this.sentAt[c] as Float64Array)[i] = at;
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
  get(seq: number): { flags: number; received: number; sentAt: number } {
    const [c, i] = this.#ensure(seq);
    return { flags: (this.flags[c] as Uint8Array)[i] as number, received: (this.received[c] as Uint8Array)[i] as number, sentAt: (this.sentAt[c] as Float64Array)[i] as number };
  }
}

export interface Outage {
  killedAt: number;
  /** When the broker answered Ping again. */
  backAt: number;
}

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
  /** Confirmed sends the consumer never got. */
  lost: number;
  /** Of `lost`: sent between 1 s before a kill and the workload's first delivery after that restart. */
  lostDuringOutages: number;
  duplicated: number;
  outOfOrder: number;
  /** Sends that failed with a KubemqError (by code) / with anything else. */
  errors: number;
  errorCodes: Record<string, number>;
  untypedErrors: number;
  /** Sends still unsettled at the end (a hang, when past their timeout). */
  hung: number;
  /** Ticks skipped because too many sends were in flight (the rate was not met). */
  skipped: number;
  /** Consumer-side errors (a subscription that ended, a failed receive). */
  consumerErrors: number;
  recoveries: Recovery[];
  latency: { p50: number; p99: number; p999: number; max: number; count: number };
  /** First untyped error / consumer error, for the report. */
  samples: string[];
}

export class Tracker {
  readonly name: string;
  readonly latency = new Histogram();
  readonly #table = new SeqTable();
  #next = 0;
  #confirmed = 0;
  #received = 0;
  #confirmedReceived = 0;
  #duplicated = 0;
  #outOfOrder = 0;
  #maxSeen = -1;
  #errors = 0;
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

  confirm(seq: number, latencyMs?: number): void {
    this.#inFlight--;
    this.#confirmed++;
    this.#table.flag(seq, CONFIRMED);
    if (this.#table.get(seq).received > 0) this.#confirmedReceived++;
    if (latencyMs !== undefined) this.latency.record(latencyMs);
  }

  fail(seq: number, err: unknown): void {
    this.#inFlight--;
    this.#table.flag(seq, FAILED);
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
    if (this.#table.get(seq).flags & CONFIRMED) this.#confirmedReceived++;
    if (seq < this.#maxSeen) this.#outOfOrder++;
    else this.#maxSeen = seq;
    if (latencyMs !== undefined) this.latency.record(latencyMs);
  }

  /** The broker came back: the next delivery measures this workload's recovery. */
  brokerBack(backAt: number): void {
    this.#recoveries.push({ backAt, ms: undefined, firstSentAt: undefined });
  }

  /** Every confirmed send was received (nothing is left to wait for). */
  caughtUp(): boolean {
    return this.#confirmedReceived >= this.#confirmed && this.#inFlight === 0;
  }

  report(outages: readonly Outage[]): WorkloadReport {
    let lost = 0;
    let lostDuringOutages = 0;
    for (let seq = 0; seq < this.#next; seq++) {
      const { flags, received, sentAt } = this.#table.get(seq);
      if (!(flags & CONFIRMED) || received > 0) continue;
      lost++;
      const inOutage = outages.some((o, i) => {
        const firstSentAt = this.#recoveries[i]?.firstSentAt ?? Infinity;
        return sentAt >= o.killedAt - 1000 && sentAt <= firstSentAt;
      });
      if (inOutage) lostDuringOutages++;
    }
    return {
      name: this.name,
      attempted: this.#next,
      sent: this.#confirmed,
      received: this.#received,
      lost,
      lostDuringOutages,
      duplicated: this.#duplicated,
      outOfOrder: this.#outOfOrder,
      errors: this.#errors,
      errorCodes: { ...this.#errorCodes },
      untypedErrors: this.#untyped,
      hung: this.#inFlight,
      skipped: this.#skipped,
      consumerErrors: this.#consumerErrors,
      recoveries: this.#recoveries.map(({ ms, firstSentAt }) => ({ ms, firstSentAt })),
      latency: {
        p50: this.latency.percentile(0.5),
        p99: this.latency.percentile(0.99),
        p999: this.latency.percentile(0.999),
        max: this.latency.max,
        count: this.latency.count,
      },
      samples: [...this.#samples],
    };
  }

  #sample(line: string): void {
    if (this.#samples.length < 5) this.#samples.push(line);
  }
}
