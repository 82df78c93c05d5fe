// The loss-per-kill figures of each setting, and the markdown table docs/benchmarks.md shows.
import type { ConsumeSetting, KillSample } from './measure.js';

export interface SettingResult {
  setting: ConsumeSetting;
  /** Messages per second without kills. */
  throughput: number;
  backlog: KillSample[];
  steady: KillSample[];
}

export interface KillStats {
  kills: number;
  meanMissing: number;
  maxMissing: number;
  /** Kills after which more were missing than the consumer's bound ((transactionsOpenAtLoss + pollsInFlightAtLoss) × maxItems). */
  overBound: number;
  duplicates: number;
}

export function killStats(samples: readonly KillSample[], maxItems: number): KillStats {
  const missing = samples.map((s) => s.missing);
  return {
    kills: samples.length,
    meanMissing: missing.length === 0 ? 0 : missing.reduce((a, b) => a + b, 0) / missing.length,
    maxMissing: missing.length === 0 ? 0 : Math.max(...missing),
    overBound: samples.filter((s) => s.missing > (s.transactionsOpenAtLoss + s.pollsInFlightAtLoss) * maxItems).length,
    duplicates: samples.reduce((a, s) => a + s.duplicates, 0),
  };
}

const perKill = (k: KillStats) => `${k.meanMissing.toFixed(1)} / ${k.maxMissing}`;

/** One row per setting: throughput, then mean / max missing per kill under each load. */
export function markdownTable(results: readonly SettingResult[], ratePerS: number): string {
  const rows = results.map((r) => {
    const backlog = killStats(r.backlog, r.setting.maxItems);
    const steady = killStats(r.steady, r.setting.maxItems);
    const over = backlog.overBound + steady.overBound;
    return `| ${r.setting.maxItems} | ${r.setting.concurrency} | ${Math.round(r.throughput).toLocaleString('en-US')} | ${perKill(backlog)} | ${perKill(steady)} | ${over === 0 ? 'held' : `**exceeded ${over}×**`} |`;
  });
  return [
    `| maxItems | concurrency | msg/s without kills | missing per kill, backlog (mean / max) | missing per kill, steady ${ratePerS}/s (mean / max) | consumer's bound |`,
    '|---:|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
}
