// The scenario runner: drives the six workloads at once at given rates, optionally stops the
// broker (SIGKILL or SIGTERM) and restarts it on a schedule, then waits for the consumers to catch
// up and reports per workload: sent, received, missing, duplicated, out of order, errors, time to
// recover after each restart, latency in and out of outages, and the facts loss-account.ts needs
// to tell stranded messages from lost ones. Used by the chaos test and by the burn-in (src/burnin).
import { KubemqClient, type ClientOptions } from '@kubemq/core';
import type { BrokerSignal, Outage } from './outage-window.js';
import { Tracker, type WorkloadReport } from './tracker.js';
import { createWorkload, encodeBody, WORKLOAD_NAMES, type ConsumerLossCounters, type FailedReceive, type Workload, type WorkloadName } from './workloads.js';

export interface BrokerControl {
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM; resolves once the broker has shut down. */
  stop(): Promise<void>;
  /** Starts the broker again; resolves when it answers. */
  restart(): Promise<void>;
}

/** What a workload's own side says about an outage, beyond the tracker's counts. */
export interface WorkloadFacts {
  /** Queue workloads: messages per poll or receive. */
  maxItems?: number;
  /** queue-stream: the consumer's counters right after each restart, and at the end. */
  consumer?: { afterOutage: ConsumerLossCounters[]; atEnd: ConsumerLossCounters };
  /** queue-simple: receives that failed. */
  failedReceives?: readonly FailedReceive[];
  /** events-store: which missing events the broker still stores (read back after the run), or why that could not be read. */
  store?: { storedMissing: number[] } | { error: string };
}

export type ScenarioWorkloadReport = WorkloadReport & WorkloadFacts;

export interface ScenarioOptions {
  address: string;
  /** Messages per second per workload; 0 or absent = not run. */
  rates: Partial<Record<WorkloadName, number>>;
  payloadBytes?: number;
  durationMs: number;
  /** Each send's deadline (default 3000 ms): a send issued during an outage fails with a typed error after it. */
  sendTimeoutMs?: number;
  /** Stop the broker with `signal` every `everyMs`, keep it down `downMs`, restart it. */
  restarts?: { everyMs: number; downMs: number; signal: BrokerSignal; broker: BrokerControl };
  /** How long to wait after the producers stop for consumers to catch up (default 15000). */
  drainTimeoutMs?: number;
  /** Extra client options (reconnect policy, logger, …) for both clients. */
  clientOptions?: Partial<ClientOptions>;
  progressEveryMs?: number;
  onProgress?: (elapsedMs: number, trackers: readonly Tracker[]) => void;
  log?: (line: string) => void;
}

export interface ScenarioReport {
  workloads: ScenarioWorkloadReport[];
  outages: Outage[];
  durationMs: number;
}

/** How long the read-back of the events store may take after the run. */
const STORE_READ_BACK_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runScenario(options: ScenarioOptions): Promise<ScenarioReport> {
  const log = options.log ?? (() => undefined);
  const payloadBytes = options.payloadBytes ?? 1024;
  const sendTimeoutMs = options.sendTimeoutMs ?? 3000;
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const tag = `r${runId}`;
  const base: ClientOptions = {
    address: options.address,
    // The SDK's default reconnect policy: recovery within 5 s of the broker's return is its promise.
    ...options.clientOptions,
  };
  const producer = await KubemqClient.connect({ ...base, clientId: `rel-prod-${runId}` });
  const consumer = await KubemqClient.connect({ ...base, clientId: `rel-cons-${runId}` });
  const clients = { producer, consumer };

  const active = WORKLOAD_NAMES.filter((n) => (options.rates[n] ?? 0) > 0);
  const trackers = new Map<WorkloadName, Tracker>(active.map((n) => [n, new Tracker(n)]));
  const workloads: Workload[] = active.map((n) => createWorkload(n, clients, `rel.${runId}.${n}`, tag, options.rates[n]));
  const outages: Outage[] = [];
  const countersAfterOutage = new Map<WorkloadName, ConsumerLossCounters[]>();
  let progress: NodeJS.Timeout | undefined;

  try {
    await Promise.all(
      workloads.map((w) => {
        const t = trackers.get(w.name) as Tracker;
        return w.start(
          (seq, sentAt) => {
            const now = Date.now();
            t.deliver(seq, now, w.latencyAt === 'delivery' ? now - sentAt : undefined);
          },
          (err) => t.consumerError(err),
        );
      }),
    );
    log(`workloads ready: ${active.join(', ')}`);

    const started = Date.now();
    const endAt = started + options.durationMs;
    let producing = true;

    const produce = async () => {
      while (producing && Date.now() < endAt) {
        const elapsed = Date.now() - started;
        for (const w of workloads) {
          const t = trackers.get(w.name) as Tracker;
          const rate = options.rates[w.name] ?? 0;
          // Never more than a few seconds' worth in flight: past that the rate is not met (counted).
          const cap = Math.max(50, rate * Math.ceil(sendTimeoutMs / 1000) * 2);
          const due = Math.floor((elapsed * rate) / 1000) - t.scheduled;
          for (let i = 0; i < due; i++) {
            if (t.inFlight >= cap) {
              t.skip();
              continue;
            }
            const now = Date.now();
            const seq = t.issue(now);
            w.send(encodeBody(tag, seq, now, payloadBytes), sendTimeoutMs).then(
              () => {
                const done = Date.now();
                t.confirm(seq, done, w.latencyAt === 'confirm' ? done - now : undefined);
              },
              (err: unknown) => t.fail(seq, err, Date.now()),
            );
          }
        }
        await sleep(10);
      }
    };

    const chaos = async () => {
      const r = options.restarts;
      if (!r) return;
      for (let at = started + r.everyMs; at + r.downMs < endAt; at += r.everyMs) {
        await sleep(Math.max(0, at - Date.now()));
        const signalAt = Date.now();
        for (const t of trackers.values()) t.brokerDown(signalAt);
        await (r.signal === 'KILL' ? r.broker.kill() : r.broker.stop());
        const downAt = Date.now();
        log(`broker sent SIG${r.signal} at +${((signalAt - started) / 1000).toFixed(1)} s, gone after ${downAt - signalAt} ms`);
        await sleep(r.downMs);
        await r.broker.restart();
        const backAt = Date.now();
        outages.push({ signal: r.signal, signalAt, downAt, backAt });
        for (const t of trackers.values()) t.brokerBack(backAt);
        for (const w of workloads) if (w.consumerCounters) countersAfterOutage.set(w.name, [...(countersAfterOutage.get(w.name) ?? []), w.consumerCounters()]);
        log(`broker back at +${((backAt - started) / 1000).toFixed(1)} s (down ${backAt - signalAt} ms)`);
      }
    };

    progress = options.onProgress
      ? setInterval(() => options.onProgress?.(Date.now() - started, [...trackers.values()]), options.progressEveryMs ?? 5000)
      : undefined;
    await Promise.all([produce(), chaos()]);
    producing = false;

    // Every send settles within its deadline (plus the client's own buffer wait): wait for that.
    const settleBy = Date.now() + sendTimeoutMs + 5000;
    while (Date.now() < settleBy && [...trackers.values()].some((t) => t.inFlight > 0)) await sleep(50);
    const drainBy = Date.now() + (options.drainTimeoutMs ?? 15_000);
    while (Date.now() < drainBy && [...trackers.values()].some((t) => !t.caughtUp())) await sleep(100);
    clearInterval(progress);
    options.onProgress?.(Date.now() - started, [...trackers.values()]);
    const durationMs = Date.now() - started;

    const reports: ScenarioWorkloadReport[] = [];
    for (const w of workloads) {
      const report = (trackers.get(w.name) as Tracker).report(outages);
      reports.push({ ...report, ...(await factsOf(w, report, countersAfterOutage.get(w.name) ?? [])) });
    }
    return { workloads: reports, outages, durationMs };
  } finally {
    clearInterval(progress);
    await Promise.allSettled(workloads.map((w) => w.stop()));
    await Promise.allSettled([producer.close(), consumer.close()]);
  }
}

/** What the workload's own side knows about its losses (read after the run). */
async function factsOf(w: Workload, report: WorkloadReport, afterOutage: ConsumerLossCounters[]): Promise<WorkloadFacts> {
  const facts: WorkloadFacts = {};
  if (w.maxItems !== undefined) facts.maxItems = w.maxItems;
  if (w.consumerCounters) facts.consumer = { afterOutage, atEnd: w.consumerCounters() };
  if (w.failedReceives) facts.failedReceives = [...w.failedReceives()];
  if (w.storedOf && report.missing > 0) {
    try {
      const stored = await w.storedOf(report.missingMessages.map((m) => m.seq), STORE_READ_BACK_MS);
      facts.store = { storedMissing: [...stored].sort((a, b) => a - b) };
    } catch (err) {
      facts.store = { error: err instanceof Error ? err.message : String(err) };
    }
  }
  return facts;
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** A fixed-width table of the per-workload counts, for logs and the burn-in report. */
export function formatReport(report: ScenarioReport): string {
  const cols = ['workload', 'sent', 'recv', 'missing', 'miss@outage', 'dup', 'ooo', 'errors', 'err@outage', 'untyped', 'hung', 'skipped', 'cons.err', 'recover ms', 'p50', 'p99', 'p99.9', 'outage p99', 'outage max'];
  const rows = report.workloads.map((w) => [
    w.name,
    w.sent,
    w.received,
    w.missing,
    w.missingDuringOutages,
    w.duplicated,
    w.outOfOrder,
    w.errors,
    w.errorsDuringOutages,
    w.untypedErrors,
    w.hung,
    w.skipped,
    w.consumerErrors,
    w.recoveries.map((r) => (r.ms === undefined ? 'never' : String(r.ms))).join('/') || '-',
    ms(w.latency.steady.p50),
    ms(w.latency.steady.p99),
    ms(w.latency.steady.p999),
    w.latency.outage.count === 0 ? '-' : ms(w.latency.outage.p99),
    w.latency.outage.count === 0 ? '-' : ms(w.latency.outage.max),
  ].map(String));
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
  return [line(cols), ...rows.map(line)].join('\n');
}
