import { median, quantile } from './stats.mjs';
import { verdicts } from './report.mjs';

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
});
