// How many rounds a scenario runs: at least the minimum, then more until its ours/raw throughput
// ratio is steady across rounds (spread under SPREAD_LIMIT), or the maximum is reached, which the
// report then says.
import { median, quantile } from './stats.mjs';

/** The spread a scenario's per-round ratios must get under: 10% of their median. */
export const SPREAD_LIMIT = 0.1;

/**
 * a[i] / b[i] for every round where both ran (null or missing marks a failed round). Each round's
 * runs of the two clients ran right after each other, so the machine's drift cancels out in them.
 * @param {(number | null | undefined)[]} a
 * @param {(number | null | undefined)[]} b
 */
export function roundRatios(a = [], b = []) {
  const ratios = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (typeof x === 'number' && typeof y === 'number' && y > 0 && Number.isFinite(x / y)) ratios.push(x / y);
  }
  return ratios;
}

/**
 * The spread of per-round ratios: their interquartile range (nearest rank) over their median.
 * The middle half of the rounds, so one disturbed round does not decide it and more rounds can
 * narrow it (with 3 rounds it is the whole range). Undefined below 2 ratios.
 * @param {number[]} ratios
 */
export function spreadOf(ratios) {
  if (ratios.length < 2) return undefined;
  const mid = median(ratios);
  if (!(mid > 0)) return undefined;
  return (quantile(ratios, 0.75) - quantile(ratios, 0.25)) / mid;
}

/**
 * After a round: run another, or stop and say whether the spread got under the limit.
 * `reached` is null when the run has no ours/raw ratio to judge (a client left out).
 * @param {{ roundsRun: number, ratios: number[] | undefined, minRounds: number, maxRounds: number }} state
 * @returns {{ stop: false } | { stop: true, spread: number | undefined, reached: boolean | null }}
 */
export function nextRound({ roundsRun, ratios, minRounds, maxRounds }) {
  if (roundsRun < minRounds) return { stop: false };
  if (ratios === undefined) return { stop: true, spread: undefined, reached: null };
  const spread = spreadOf(ratios);
  if (spread !== undefined && spread < SPREAD_LIMIT) return { stop: true, spread, reached: true };
  if (roundsRun >= maxRounds) return { stop: true, spread, reached: false };
  return { stop: false };
}
