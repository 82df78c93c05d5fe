// The burn-in's verdict: thresholds against the scenario report and the RSS samples. Latency and
// errors are judged outside the outage windows only; losses follow loss-account.ts, which tells
// what the broker's behaviour under the run's signal explains from what is lost.
import { accountLosses, type ExplainedLoss, type LossAccount } from '../loss-account.js';
import { OUTAGE_WINDOW, type Outage } from '../outage-window.js';
import type { ScenarioReport, ScenarioWorkloadReport } from '../scenario.js';
import type { LatencySummary } from '../tracker.js';

export interface RssSample {
  atMs: number;
  rssBytes: number;
  heapUsedBytes: number;
}

export const THRESHOLDS = {
  maxDuplicationRatio: 0.001,
  /** Latency outside the outage windows. */
  maxP99Ms: 1000,
  maxP999Ms: 5000,
  /** Failed sends outside the outage windows, per send issued. */
  maxSteadyErrorRatio: 0.001,
  /** Each workload delivers again within the grace period after each return. */
  maxRecoveryMs: OUTAGE_WINDOW.graceMs,
  maxRssGrowth: 2,
} as const;

export interface Verdict {
  pass: boolean;
  failures: string[];
  lines: string[];
  /** The loss account of each workload. */
  accounts: LossAccount[];
}

const pct = (n: number, d: number) => (d === 0 ? '0.000%' : `${((100 * n) / d).toFixed(3)}%`);
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const EXPLAINED_ORDER: readonly ExplainedLoss[] = ['stranded', 'handed-to-dead-consumers', 'at-most-once', 'unpersisted', 'fire-and-forget'];

export function judge(report: ScenarioReport, rss: readonly RssSample[], { warmupMs }: { warmupMs: number }): Verdict {
  const failures: string[] = [];
  const lines: string[] = [];
  const accounts: LossAccount[] = [];
  const seconds = Math.max(1, report.durationMs / 1000);
  if (report.outages.length > 0) lines.push(describeOutages(report.outages));
  for (const w of report.workloads) {
    const account = accountLosses(w, report.outages);
    accounts.push(account);
    const steadyErrors = w.errors + w.untypedErrors - w.errorsDuringOutages;
    const dupRatio = w.received === 0 ? 0 : w.duplicated / w.received;
    const { steady, outage } = w.latency;
    lines.push(
      `${w.name}: sent ${w.sent} received ${w.received} (${(w.received / seconds).toFixed(1)}/s), ${lossText(account)}, ` +
        `dup ${pct(w.duplicated, w.received)}, errors ${pct(w.errors + w.untypedErrors, w.attempted)} (${steadyErrors} outside outages) ${JSON.stringify(w.errorCodes)}, ` +
        `latency outside outages ${latencyText(steady)}` +
        (report.outages.length > 0 ? `, during outages ${outage.count === 0 ? 'none' : `${latencyText(outage)} max ${ms(outage.max)} ms`}` : ''),
    );
    for (const d of account.details) lines.push(`  ${d}`);
    for (const warning of account.warnings) lines.push(`  warning: ${warning}`);
    if (account.lost > 0) failures.push(`${w.name} lost ${account.lost}`);
    if (dupRatio > THRESHOLDS.maxDuplicationRatio) failures.push(`${w.name} duplication ${pct(w.duplicated, w.received)} > 0.1%`);
    if (steady.p99 > THRESHOLDS.maxP99Ms) failures.push(`${w.name} p99 ${steady.p99.toFixed(0)} ms > 1 s outside outages`);
    if (steady.p999 > THRESHOLDS.maxP999Ms) failures.push(`${w.name} p99.9 ${steady.p999.toFixed(0)} ms > 5 s outside outages`);
    if (steadyErrors > THRESHOLDS.maxSteadyErrorRatio * w.attempted) failures.push(`${w.name}: ${steadyErrors} failed sends outside outages > 0.1%`);
    if (w.untypedErrors > 0) failures.push(`${w.name}: ${w.untypedErrors} errors that are not KubemqError`);
    if (w.hung > 0) failures.push(`${w.name}: ${w.hung} sends never settled`);
    if (w.sent === 0) failures.push(`${w.name} sent nothing`);
    failures.push(...recoveryFailures(w));
  }
  const baseline = rss.find((s) => s.atMs >= warmupMs);
  const after = rss.filter((s) => s.atMs >= warmupMs);
  if (!baseline) {
    failures.push('no RSS sample after the warm-up');
  } else {
    const peak = Math.max(...after.map((s) => s.rssBytes));
    const ratio = peak / baseline.rssBytes;
    lines.push(`RSS: baseline ${mb(baseline.rssBytes)} at +${(baseline.atMs / 1000).toFixed(0)} s, peak ${mb(peak)} (${ratio.toFixed(2)}×), last ${mb((after.at(-1) as RssSample).rssBytes)}`);
    if (ratio > THRESHOLDS.maxRssGrowth) failures.push(`peak RSS ${ratio.toFixed(2)}× the baseline > 2×`);
  }
  return { pass: failures.length === 0, failures, lines, accounts };
}

/** `missing 12: lost 0, stranded 9, at-most-once 3` (only the kinds that occurred). */
function lossText(a: LossAccount): string {
  const kinds = EXPLAINED_ORDER.filter((k) => (a.explained[k] ?? 0) > 0).map((k) => `${k} ${a.explained[k]}`);
  return `missing ${a.missing}: lost ${a.lost}${kinds.length > 0 ? `, ${kinds.join(', ')}` : ''}`;
}

const latencyText = (l: LatencySummary) => `p50 ${ms(l.p50)} ms p99 ${ms(l.p99)} ms p99.9 ${ms(l.p999)} ms (${l.count})`;

function recoveryFailures(w: ScenarioWorkloadReport): string[] {
  return w.recoveries.flatMap((r, i) => {
    if (r.ms === undefined) return [`${w.name} never delivered again after restart #${i + 1}`];
    return r.ms > THRESHOLDS.maxRecoveryMs ? [`${w.name} delivered again ${r.ms} ms after restart #${i + 1} > ${THRESHOLDS.maxRecoveryMs} ms`] : [];
  });
}

function describeOutages(outages: readonly Outage[]): string {
  const signals = [...new Set(outages.map((o) => `SIG${o.signal}`))].join('/');
  const gone = outages.map((o) => o.downAt - o.signalAt).join('/');
  const back = outages.map((o) => o.backAt - o.signalAt).join('/');
  return `broker restarts: ${outages.length} × ${signals}; exited ${gone} ms and answered again ${back} ms after the signal; outage windows: signal → answering + ${OUTAGE_WINDOW.graceMs / 1000} s`;
}
