import { nextRound, roundRatios, spreadOf, SPREAD_LIMIT } from './rounds.mjs';

describe('per-round ratios', () => {
  it('pairs each round of one client with the same round of the other, skipping failed rounds', () => {
    expect(roundRatios([90, null, 80, 70], [100, 100, undefined, 70])).toEqual([0.9, 1]);
    expect(roundRatios([1, 2], [0, 2])).toEqual([1]);
    expect(roundRatios(undefined, [1])).toEqual([]);
  });
});

describe('spread of the ratios', () => {
  it('is the interquartile range (nearest rank) over the median', () => {
    // sorted 0.9, 0.95, 1.0, 1.05, 1.5: Q1 0.95, Q3 1.05, median 1.0
    expect(spreadOf([1.5, 0.9, 1.0, 1.05, 0.95])).toBeCloseTo(0.1);
  });

  it('lets one disturbed round out of five pass, but not with three rounds (the whole range)', () => {
    expect(spreadOf([1.0, 1.01, 0.99, 1.0, 0.5])).toBeLessThan(SPREAD_LIMIT);
    expect(spreadOf([1.0, 1.01, 0.5])).toBeGreaterThan(SPREAD_LIMIT);
  });

  it('narrows as steady rounds are added', () => {
    const noisy = [1.0, 1.2, 0.85];
    expect(spreadOf(noisy)).toBeGreaterThan(SPREAD_LIMIT);
    expect(spreadOf([...noisy, 1.0, 1.02, 0.99, 1.01])).toBeLessThan(SPREAD_LIMIT);
  });

  it('is undefined below two ratios', () => {
    expect(spreadOf([])).toBeUndefined();
    expect(spreadOf([1])).toBeUndefined();
  });
});

describe('stopping rule', () => {
  const bounds = { minRounds: 3, maxRounds: 5 };
  const steady = [1.0, 1.01, 0.99];
  const noisy = [1.0, 1.3, 0.7];

  it('always runs the minimum', () => {
    expect(nextRound({ ...bounds, roundsRun: 2, ratios: [1, 1] })).toEqual({ stop: false });
  });

  it('stops at the minimum once the spread is under 10%', () => {
    expect(nextRound({ ...bounds, roundsRun: 3, ratios: steady })).toEqual({ stop: true, spread: expect.closeTo(0.02, 5), reached: true });
  });

  it('goes on while the spread is 10% or more, up to the maximum, then says it was not reached', () => {
    expect(nextRound({ ...bounds, roundsRun: 3, ratios: noisy })).toEqual({ stop: false });
    expect(nextRound({ ...bounds, roundsRun: 4, ratios: [...noisy, 1.0] })).toEqual({ stop: false });
    const last = nextRound({ ...bounds, roundsRun: 5, ratios: [...noisy, 1.0, 1.4] });
    expect(last).toMatchObject({ stop: true, reached: false });
    expect(last.spread).toBeGreaterThanOrEqual(SPREAD_LIMIT);
  });

  it('counts a spread of exactly 10% as not under it', () => {
    expect(nextRound({ minRounds: 5, maxRounds: 5, roundsRun: 5, ratios: [12, 9.5, 9.5, 10, 10.5] })).toMatchObject({ stop: true, spread: 0.1, reached: false });
  });

  it('keeps going when failed rounds leave fewer than two ratios', () => {
    expect(nextRound({ ...bounds, roundsRun: 3, ratios: [1] })).toEqual({ stop: false });
    expect(nextRound({ ...bounds, roundsRun: 5, ratios: [] })).toEqual({ stop: true, spread: undefined, reached: false });
  });

  it('stops at the minimum with no verdict when there is no ours/raw ratio (sdk or raw left out)', () => {
    expect(nextRound({ ...bounds, roundsRun: 3, ratios: undefined })).toEqual({ stop: true, spread: undefined, reached: null });
  });
});
