import { cpuRatios, scenarioRatios, steadiness, TARGETS, verdicts } from './ratios.mjs';

describe('client CPU ratios', () => {
  it('are sdk/raw and sdk/kubemq-js of CPU µs per message, paired per round', () => {
    const sdk = { cpuUsPerMsg: 50, roundCpuUsPerMsg: [100, 50, 30] };
    const raw = { cpuUsPerMsg: 40, roundCpuUsPerMsg: [100, 40, 30] };
    const kjs = { cpuUsPerMsg: 100, roundCpuUsPerMsg: [200, 100, 60] };
    const r = cpuRatios(sdk, raw, kjs);
    expect(r.cpu).toBeCloseTo(1); // median of 1, 1.25, 1
    expect(r.cpuVsKjs).toBeCloseTo(0.5);
  });

  it('fall back to the medians for a results file without per-round CPU', () => {
    expect(cpuRatios({ cpuUsPerMsg: 63 }, { cpuUsPerMsg: 60 }, { na: true })).toEqual({ cpu: expect.closeTo(1.05, 5), cpuVsKjs: undefined });
  });

  it('meet the target at ≤ 1.05× raw and miss it above; lower is better', () => {
    const at = verdicts({ cpuUsPerMsg: 105, msgsPerSec: 1, p99Ms: 1 }, { cpuUsPerMsg: 100, msgsPerSec: 1, p99Ms: 1 }, { na: true });
    expect(at.cpuOk).toBe(true);
    const over = verdicts({ cpuUsPerMsg: 106, msgsPerSec: 1, p99Ms: 1 }, { cpuUsPerMsg: 100, msgsPerSec: 1, p99Ms: 1 }, { na: true });
    expect(over.cpuOk).toBe(false);
    expect(TARGETS.maxCpuVsRaw).toBe(1.05);
  });

  it('have no verdict without a CPU figure', () => {
    expect(verdicts({ msgsPerSec: 1 }, { msgsPerSec: 1 }, { na: true }).cpuOk).toBeUndefined();
  });
});

describe('a scenario in a results file', () => {
  const sdk = { roundMsgsPerSec: [95, 100, 98], roundP99Ms: [10, 10, 10], roundCpuUsPerMsg: [21, 20, 22] };
  const raw = { roundMsgsPerSec: [100, 100, 100], roundP99Ms: [10, 11, 10], roundCpuUsPerMsg: [20, 20, 20] };
  const kjs = { roundMsgsPerSec: [50, 50, 50], roundP99Ms: [20, 20, 20], roundCpuUsPerMsg: [40, 40, 40] };

  it('records the throughput, p99 and CPU ratios beside the per-round throughput ratios and their spread', () => {
    expect(scenarioRatios('s', sdk, raw, kjs)).toEqual({
      scenario: 's',
      rounds: 3,
      throughputVsRaw: 0.98,
      throughputVsKubemqJs: 1.96,
      p99VsRaw: 1,
      cpuVsRaw: 1.05,
      cpuVsKubemqJs: 0.525,
      roundThroughputVsRaw: [0.95, 1, 0.98],
      throughputSpread: 0.051,
      spreadUnderLimit: true,
    });
  });

  it('has no kubemq-js ratios where kubemq-js has no API, and no spread verdict without raw', () => {
    const r = scenarioRatios('s', sdk, raw, { na: true });
    expect(r.throughputVsKubemqJs).toBeNull();
    expect(r.cpuVsKubemqJs).toBeNull();
    expect(steadiness(sdk, undefined)).toEqual({ roundRatios: [], spread: undefined, reached: null });
  });
});
