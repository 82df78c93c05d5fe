// The scenario runner: drives the six workloads at once at given rates, optionally kills (SIGKILL)
// and restarts the broker on a schedule, then waits for the consumers to catch up and reports per
// workload: sent, received, lost, duplicated, out of order, errors, time to recover after each
// restart, latency. Used by the chaos test and by tools/burnin.
import { KubemqClient, type ClientOptions } from '@kubemq/core';
import { Tracker, type Outage, type WorkloadReport } from './tracker.js';
import { createWorkload, encodeBody, WORKLOAD_NAMES, type Workload, type WorkloadName } from './workloads.js';

export interface BrokerControl {
  kill(): Promise<void>;
  /** Starts the broker again; resolves when it answers. */
  restart(): Promise<void>;
}

export interface ScenarioOptions {
  address: string;
  /** Messages per second per workload; 0 or absent = not run. */
  rates: Partial<Record<WorkloadName, number>>;
  payloadBytes?: number;
  durationMs: number;
  /** Each send's deadline (default 3000 ms): a send issued during an outage fails with a typed error after it. */
  sendTimeoutMs?: number;
  /** Kill the broker every `everyMs`, keep it down `downMs`, restart it. */
  restarts?: { everyMs: number; downMs: number; broker: BrokerControl };
  /** How long to wait after the producers stop for consumers to catch up (default 15000). */
  drainTimeoutMs?: number;
  /** Extra client options (reconnect policy, logger, …) for both clients. */
  clientOptions?: Partial<ClientOptions>;
  progressEveryMs?: number;
  onProgress?: (elapsedMs: number, trackers: readonly Tracker[]) => void;
  log?: (line: string) => void;
}

export interface ScenarioReport {
  workloads: WorkloadReport[];
  outages: Outage[];
  durationMs: number;
}

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
              () => t.confirm(seq, w.latencyAt === 'confirm' ? Date.now() - now : undefined),
              (err: unknown) => t.fail(seq, err),
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
        const killedAt = Date.now();
        await r.broker.kill();
        log(`broker killed at +${((killedAt - started) / 1000).toFixed(1)} s`);
        await sleep(r.downMs);
        await r.broker.restart();
        const backAt = Date.now();
        outages.push({ killedAt, backAt });
        for (const t of trackers.values()) t.brokerBack(backAt);
        log(`broker back at +${((backAt - started) / 1000).toFixed(1)} s (down ${backAt - killedAt} ms)`);
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

    return {
      workloads: [...trackers.values()].map((t) => t.report(outages)),
      outages,
      durationMs: Date.now() - started,
    };
  } finally {
    clearInterval(progress);
    await Promise.allSettled(workloads.map((w) => w.stop()));
    await Promise.allSettled([producer.close(), consumer.close()]);
  }
}

/** A fixed-width table of the per-workload counts, for logs and the burn-in report. */
export function formatReport(report: ScenarioReport): string {
  const cols = ['workload', 'sent', 'recv', 'lost', 'lost@outage', 'dup', 'ooo', 'errors', 'untyped', 'hung', 'skipped', 'cons.err', 'recover ms', 'p50', 'p99', 'p99.9'];
  const rows = report.workloads.map((w) => [
    w.name,
    w.sent,
    w.received,
    w.lost,
    w.lostDuringOutages,
    w.duplicated,
    w.outOfOrder,
    w.errors,
    w.untypedErrors,
    w.hung,
    w.skipped,
    w.consumerErrors,
    w.recoveries.map((r) => (r.ms === undefined ? 'never' : String(r.ms))).join('/') || '-',
    w.latency.p50.toFixed(1),
    w.latency.p99.toFixed(1),
    w.latency.p999.toFixed(1),
  ].map(String));
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] as number)).join('  ');
  return [line(cols), ...rows.map(line)].join('\n');
}
