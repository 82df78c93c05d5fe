import { median, quantile } from './stats.mjs';
import { pairedRatio, verdicts } from './ratios.mjs';

describe('bench statistics', () => {
  it('quantile uses the nearest rank', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(quantile(values, 0.5)).toBe(5);
    expect(quantile(values, 0.99)).toBe(10);
    expect(quantile(values, 0)).toBe(1);
    expect(quantile([], 0.5)).toBeUndefined();
  });

  it('median skips missing values (failed rounds)', () => {
    expect(median([3, null, 1, undefined, 2])).toBe(2);
    expect(median([null])).toBeUndefined();
  });
});

describe('bench target verdicts', () => {
  it('throughput ≥ 0.9× raw, p99 ≤ 1.1× raw, faster than kubemq-js', () => {
    const v = verdicts({ msgsPerSec: 90, p99Ms: 11 }, { msgsPerSec: 100, p99Ms: 10 }, { msgsPerSec: 80 });
    expect(v).toMatchObject({ thrOk: true, p99Ok: true, kjsOk: true });
    expect(v.thr).toBeCloseTo(0.9);
    const miss = verdicts({ msgsPerSec: 89, p99Ms: 11.5 }, { msgsPerSec: 100, p99Ms: 10 }, { msgsPerSec: 89 });
    expect(miss).toMatchObject({ thrOk: false, p99Ok: false, kjsOk: false });
  });

  it('a scenario kubemq-js cannot run has no kubemq-js verdict', () => {
    expect(verdicts({ msgsPerSec: 1, p99Ms: 1 }, { msgsPerSec: 1, p99Ms: 1 }, { na: true }).kjsOk).toBeUndefined();
  });

  it('pairs rounds: the median of per-round ratios, so a drift across rounds cancels out', () => {
    // The machine slows down round by round; each round the SDK is 0.95x raw.
    const sdk = { msgsPerSec: 570, roundMsgsPerSec: [950, 570, 285] };
    const raw = { msgsPerSec: 600, roundMsgsPerSec: [1000, 600, 300] };
    expect(pairedRatio(sdk, raw, 'msgsPerSec', 'roundMsgsPerSec')).toBeCloseTo(0.95);
    expect(verdicts(sdk, raw, { msgsPerSec: 1, roundMsgsPerSec: [1, 1, 1] }).thrOk).toBe(true);
  });

  it('skips a failed round on either side, and falls back to the medians without rounds', () => {
    const sdk = { msgsPerSec: 90, roundMsgsPerSec: [null, 90, 80] };
    const raw = { msgsPerSec: 100, roundMsgsPerSec: [100, 100, null] };
    expect(pairedRatio(sdk, raw, 'msgsPerSec', 'roundMsgsPerSec')).toBeCloseTo(0.9);
    expect(pairedRatio({ p99Ms: 12 }, { p99Ms: 10 }, 'p99Ms', 'roundP99Ms')).toBeCloseTo(1.2);
  });
});
