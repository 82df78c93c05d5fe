// The burn-in's verdict: thresholds against the scenario report and the RSS samples.
// eslint-disable-next-line @nx/enforce-module-boundaries -- tools/burnin is a script beside the reliability project whose runner it shares (not a package)
import type { ScenarioReport } from '../reliability/src/scenario.js';

export interface RssSample {
  atMs: number;
  rssBytes: number;
  heapUsedBytes: number;
}

export const THRESHOLDS = {
  /** Workloads that must lose nothing (queues and the events store). */
  noLoss: ['events-store', 'queue-stream', 'queue-simple'],
  maxDuplicationRatio: 0.001,
  maxP99Ms: 1000,
  maxP999Ms: 5000,
  maxRssGrowth: 2,
} as const;

export interface Verdict {
  pass: boolean;
  failures: string[];
  lines: string[];
}

const pct = (n: number, d: number) => (d === 0 ? '0.000%' : `${((100 * n) / d).toFixed(3)}%`);
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;

export function judge(report: ScenarioReport, rss: readonly RssSample[], { warmupMs }: { warmupMs: number }): Verdict {
  const failures: string[] = [];
  const lines: string[] = [];
  const seconds = Math.max(1, report.durationMs / 1000);
  for (const w of report.workloads) {
    const loss = w.lost;
    const outsideOutages = w.lost - w.lostDuringOutages;
    const dupRatio = w.received === 0 ? 0 : w.duplicated / w.received;
    lines.push(
      `${w.name}: sent ${w.sent} received ${w.received} (${(w.received / seconds).toFixed(1)}/s), loss ${pct(loss, w.sent)} (${loss}; outside outages ${outsideOutages}), ` +
        `dup ${pct(w.duplicated, w.received)}, errors ${pct(w.errors + w.untypedErrors, w.attempted)} ${JSON.stringify(w.errorCodes)}, ` +
        `p50 ${w.latency.p50.toFixed(1)} ms p99 ${w.latency.p99.toFixed(1)} ms p99.9 ${w.latency.p999.toFixed(1)} ms`,
    );
    if ((THRESHOLDS.noLoss as readonly string[]).includes(w.name) && loss > 0) failures.push(`${w.name} lost ${loss}`);
    if (w.name === 'events' && outsideOutages > 0) failures.push(`events lost ${outsideOutages} outside outages`);
    if (dupRatio > THRESHOLDS.maxDuplicationRatio) failures.push(`${w.name} duplication ${pct(w.duplicated, w.received)} > 0.1%`);
    if (w.latency.p99 > THRESHOLDS.maxP99Ms) failures.push(`${w.name} p99 ${w.latency.p99.toFixed(0)} ms > 1 s`);
    if (w.latency.p999 > THRESHOLDS.maxP999Ms) failures.push(`${w.name} p99.9 ${w.latency.p999.toFixed(0)} ms > 5 s`);
    if (w.untypedErrors > 0) failures.push(`${w.name}: ${w.untypedErrors} errors that are not KubemqError`);
    if (w.hung > 0) failures.push(`${w.name}: ${w.hung} sends never settled`);
    if (w.sent === 0) failures.push(`${w.name} sent nothing`);
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
  if (report.outages.length > 0) lines.push(`broker restarts: ${report.outages.length}, down ${report.outages.map((o) => o.backAt - o.killedAt).join('/')} ms`);
  return { pass: failures.length === 0, failures, lines };
}
