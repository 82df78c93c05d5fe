// The SDK's ratios to raw grpc-js and to kubemq-js for one scenario, and the targets they are
// judged by. Computed from the per-client entries of a results file, so a file written before a
// ratio existed still renders (from its medians).
import { median } from './stats.mjs';
import { roundRatios, spreadOf, SPREAD_LIMIT } from './rounds.mjs';

export const TARGETS = {
  /** throughput ≥ 0.9× raw */
  minThroughputVsRaw: 0.9,
  /** p99 latency ≤ 1.1× raw */
  maxP99VsRaw: 1.1,
  /** client CPU per message (producer + consumer) ≤ 1.05× raw */
  maxCpuVsRaw: 1.05,
};

const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b !== 0 ? a / b : undefined);

/**
 * The ratio a/b of one metric: the median of the per-round ratios, each round's run of `a` paired
 * with the same round's run of `b` (they ran back to back, so the machine's drift over a scenario's
 * rounds cancels out); the ratio of the medians when the entries carry no rounds to pair.
 */
export function pairedRatio(a, b, metric, roundsKey) {
  const pairs = roundRatios(a?.[roundsKey], b?.[roundsKey]);
  return pairs.length > 0 ? median(pairs) : ratio(a?.[metric], b?.[metric]);
}

/**
 * Client CPU per message (producer + consumer processes), sdk/raw and sdk/kubemq-js. Lower is
 * better: 1.05 means the SDK spends 5% more CPU per message than the other client.
 */
export function cpuRatios(sdk, raw, kjs) {
  return {
    cpu: pairedRatio(sdk, raw, 'cpuUsPerMsg', 'roundCpuUsPerMsg'),
    cpuVsKjs: kjs?.na ? undefined : pairedRatio(sdk, kjs, 'cpuUsPerMsg', 'roundCpuUsPerMsg'),
  };
}

/** Target verdicts for one scenario: throughput ≥ 0.9× raw, p99 ≤ 1.1× raw, faster than kubemq-js, CPU ≤ 1.05× raw. */
export function verdicts(sdk, raw, kjs) {
  const thr = pairedRatio(sdk, raw, 'msgsPerSec', 'roundMsgsPerSec');
  const p99 = pairedRatio(sdk, raw, 'p99Ms', 'roundP99Ms');
  const vsKjs = kjs?.na ? undefined : pairedRatio(sdk, kjs, 'msgsPerSec', 'roundMsgsPerSec');
  const { cpu, cpuVsKjs } = cpuRatios(sdk, raw, kjs);
  return {
    thr,
    p99,
    vsKjs,
    cpu,
    cpuVsKjs,
    thrOk: thr !== undefined && thr >= TARGETS.minThroughputVsRaw,
    p99Ok: p99 !== undefined && p99 <= TARGETS.maxP99VsRaw,
    kjsOk: vsKjs === undefined ? undefined : vsKjs > 1,
    cpuOk: cpu === undefined ? undefined : cpu <= TARGETS.maxCpuVsRaw,
  };
}

/**
 * How steady the ours/raw throughput ratio was: the per-round ratios, their spread, and whether it
 * got under the limit (null when there is no ratio: sdk or raw left out of the run).
 */
export function steadiness(sdk, raw) {
  if (!sdk || !raw || sdk.na || raw.na) return { roundRatios: [], spread: undefined, reached: null };
  const ratios = roundRatios(sdk.roundMsgsPerSec, raw.roundMsgsPerSec);
  const spread = spreadOf(ratios);
  return { roundRatios: ratios, spread, reached: spread !== undefined && spread < SPREAD_LIMIT };
}

const round3 = (x) => (x === undefined ? null : Math.round(x * 1000) / 1000);

/** One scenario's ratios as results files record them (beside the per-client entries). */
export function scenarioRatios(name, sdk, raw, kjs) {
  const v = verdicts(sdk, raw, kjs);
  const s = steadiness(sdk, raw);
  return {
    scenario: name,
    rounds: Math.max(sdk?.roundMsgsPerSec?.length ?? 0, raw?.roundMsgsPerSec?.length ?? 0),
    throughputVsRaw: round3(v.thr),
    throughputVsKubemqJs: round3(v.vsKjs),
    p99VsRaw: round3(v.p99),
    cpuVsRaw: round3(v.cpu),
    cpuVsKubemqJs: round3(v.cpuVsKjs),
    roundThroughputVsRaw: s.roundRatios.map(round3),
    throughputSpread: round3(s.spread),
    spreadUnderLimit: s.reached,
  };
}
