// The burn-in's command line and verdict (tools/burnin), without a broker.
// eslint-disable-next-line @nx/enforce-module-boundaries -- tools/burnin is the script beside this project that shares its runner
import { DEFAULT_RATES, parseArgs } from '../../../burnin/args.js';
// eslint-disable-next-line @nx/enforce-module-boundaries -- as above
import { judge, type RssSample } from '../../../burnin/verdict.js';
import type { ScenarioReport } from '../../src/scenario.js';
import type { WorkloadReport } from '../../src/tracker.js';

const workload = (name: string, over: Partial<WorkloadReport> = {}): WorkloadReport => ({
  name,
  attempted: 1000,
  sent: 1000,
  received: 1000,
  lost: 0,
  lostDuringOutages: 0,
  duplicated: 0,
  outOfOrder: 0,
  errors: 0,
  errorCodes: {},
  untypedErrors: 0,
  hung: 0,
  skipped: 0,
  consumerErrors: 0,
  recoveries: [],
  latency: { p50: 2, p99: 20, p999: 50, max: 60, count: 1000 },
  samples: [],
  ...over,
});
const report = (...workloads: WorkloadReport[]): ScenarioReport => ({ workloads, outages: [], durationMs: 60_000 });
const rss = (...mb: number[]): RssSample[] => mb.map((m, i) => ({ atMs: i * 5000, rssBytes: m * 1048576, heapUsedBytes: 0 }));

describe('burn-in arguments', () => {
  it('defaults to the issue rates, 1 KB bodies and 60 s', () => {
    expect(parseArgs([])).toMatchObject({ durationS: 60, payloadBytes: 1024, rates: DEFAULT_RATES, restartEveryS: undefined, warmupS: 15 });
    expect(DEFAULT_RATES).toEqual({ events: 100, 'events-store': 100, 'queue-stream': 50, 'queue-simple': 50, commands: 20, queries: 20 });
  });

  it('reads duration, restarts and per-workload rates; samples once a minute for an hour', () => {
    const a = parseArgs(['--duration', '3600', '--restart-every', '300', '--rate', 'events=200', '--rate', 'commands=0']);
    expect(a).toMatchObject({ durationS: 3600, restartEveryS: 300, warmupS: 30, sampleEveryS: 60 });
    expect(a.rates).toMatchObject({ events: 200, commands: 0 });
  });

  it('refuses bad values naming the flag', () => {
    expect(() => parseArgs(['--duration', '0'])).toThrow(/--duration/);
    expect(() => parseArgs(['--duration', 'ten'])).toThrow(/--duration/);
    expect(() => parseArgs(['--rate', 'nope=1'])).toThrow(/--rate/);
    expect(() => parseArgs(['--bogus'])).toThrow(/unknown argument/);
    expect(() => parseArgs(['--duration', '10', '--warmup', '10'])).toThrow(/--warmup/);
  });
});

describe('burn-in verdict', () => {
  it('passes a clean run', () => {
    const v = judge(report(workload('events'), workload('queue-stream')), rss(100, 110, 120), { warmupMs: 5000 });
    expect(v).toMatchObject({ pass: true, failures: [] });
  });

  it('fails on queue or events-store loss, events loss outside outages, duplication, latency, hangs and RSS growth', () => {
    const v = judge(
      report(
        workload('queue-simple', { lost: 1 }),
        workload('events-store', { lost: 2, lostDuringOutages: 2 }),
        workload('events', { lost: 5, lostDuringOutages: 3 }),
        workload('commands', { duplicated: 2 }),
        workload('queries', { latency: { p50: 1, p99: 1500, p999: 6000, max: 7000, count: 10 }, hung: 1 }),
      ),
      rss(100, 100, 150, 210),
      { warmupMs: 5000 },
    );
    expect(v.pass).toBe(false);
    expect(v.failures).toEqual([
      'queue-simple lost 1',
      'events-store lost 2',
      'events lost 2 outside outages',
      'commands duplication 0.200% > 0.1%',
      'queries p99 1500 ms > 1 s',
      'queries p99.9 6000 ms > 5 s',
      'queries: 1 sends never settled',
      'peak RSS 2.10× the baseline > 2×',
    ]);
  });
});
