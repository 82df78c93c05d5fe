// The burn-in's command line and verdict (src/burnin), without a broker.
import { DEFAULT_RATES, parseArgs, USAGE } from '../../src/burnin/args.js';
import { judge, type RssSample } from '../../src/burnin/verdict.js';
import type { BrokerSignal, Outage } from '../../src/outage-window.js';
import type { ScenarioReport, ScenarioWorkloadReport } from '../../src/scenario.js';
import type { LatencySummary, MissingMessage } from '../../src/tracker.js';

const quiet: LatencySummary = { p50: 2, p99: 20, p999: 50, max: 60, count: 1000 };
const workload = (name: string, over: Partial<ScenarioWorkloadReport> = {}): ScenarioWorkloadReport => ({
  name,
  attempted: 1000,
  sent: 1000,
  received: 1000,
  missing: 0,
  missingDuringOutages: 0,
  missingByOutage: [],
  missingAfterOutages: 0,
  missingMessages: [],
  duplicated: 0,
  outOfOrder: 0,
  errors: 0,
  errorsDuringOutages: 0,
  errorCodes: {},
  untypedErrors: 0,
  hung: 0,
  skipped: 0,
  consumerErrors: 0,
  recoveries: [],
  latency: { steady: quiet, outage: { p50: 0, p99: 0, p999: 0, max: 0, count: 0 } },
  samples: [],
  ...over,
});
const report = (outages: Outage[], ...workloads: ScenarioWorkloadReport[]): ScenarioReport => ({ workloads, outages, durationMs: 60_000 });
const rss = (...mb: number[]): RssSample[] => mb.map((m, i) => ({ atMs: i * 5000, rssBytes: m * 1048576, heapUsedBytes: 0 }));
const outage = (signal: BrokerSignal): Outage => ({ signal, signalAt: 20_000, downAt: 20_020, backAt: 22_500 });
const missingBefore = (seq: number, msBefore: number): MissingMessage => ({ seq, sentAt: 20_000 - msBefore, confirmedAt: 20_000 - msBefore + 3, nextOutage: 0 });
const recovered = [{ ms: 800, firstSentAt: 22_700 }];

describe('burn-in arguments', () => {
  it('defaults to the issue rates, 1 KB bodies, 60 s and SIGKILL', () => {
    expect(parseArgs([])).toMatchObject({ durationS: 60, payloadBytes: 1024, rates: DEFAULT_RATES, restartEveryS: undefined, signal: 'KILL', warmupS: 15 });
    expect(DEFAULT_RATES).toEqual({ events: 100, 'events-store': 100, 'queue-stream': 50, 'queue-simple': 50, commands: 20, queries: 20 });
  });

  it('reads duration, restarts, the signal and per-workload rates; samples once a minute for an hour', () => {
    const a = parseArgs(['--duration', '3600', '--restart-every', '300', '--signal', 'TERM', '--rate', 'events=200', '--rate', 'commands=0']);
    expect(a).toMatchObject({ durationS: 3600, restartEveryS: 300, signal: 'TERM', warmupS: 30, sampleEveryS: 60 });
    expect(a.rates).toMatchObject({ events: 200, commands: 0 });
    expect(parseArgs(['--restart-every', '20', '--signal', 'sigkill']).signal).toBe('KILL');
  });

  it('refuses bad values naming the flag', () => {
    expect(() => parseArgs(['--duration', '0'])).toThrow(/--duration/);
    expect(() => parseArgs(['--duration', 'ten'])).toThrow(/--duration/);
    expect(() => parseArgs(['--down', ''])).toThrow(/--down must be a non-negative integer/); // an empty value is not 0
    expect(() => parseArgs(['--rate', 'nope=1'])).toThrow(/--rate/);
    expect(() => parseArgs(['--bogus'])).toThrow(/unknown argument/);
    expect(() => parseArgs(['--duration', '10', '--warmup', '10'])).toThrow(/--warmup/);
    expect(() => parseArgs(['--restart-every', '20', '--signal', 'HUP'])).toThrow('--signal must be KILL or TERM, got "HUP"');
    expect(() => parseArgs(['--restart-every', '20', '--signal'])).toThrow(/--signal must be KILL or TERM/);
    expect(() => parseArgs(['--signal', 'TERM'])).toThrow('--signal needs --restart-every');
  });

  it('--help documents the signal, the outage window and what counts as lost per workload', () => {
    for (const text of [/--signal\s+how it is stopped/, /default\s+KILL/, /plus a\s+5 s grace/, /\(transactionsOpenAtLoss \+ pollsInFlightAtLoss\) x maxItems/, /sent before that kill or after it/, /"handed-to-dead-consumers", with a warning/, /unpersisted/, /at-most-once/, /fire-and-forget/, /commands,\s+an answered request/]) {
      expect(USAGE).toMatch(text);
    }
  });
});

describe('burn-in verdict', () => {
  it('passes a clean run', () => {
    const v = judge(report([], workload('events'), workload('queue-stream')), rss(100, 110, 120), { warmupMs: 5000 });
    expect(v).toMatchObject({ pass: true, failures: [] });
  });

  it('fails on loss, duplication, steady latency, steady errors, hangs and RSS growth', () => {
    const v = judge(
      report(
        [],
        workload('queue-simple', { missing: 1, missingAfterOutages: 1 }),
        workload('events-store', { missing: 2, missingAfterOutages: 2 }),
        workload('events', { missing: 5, missingAfterOutages: 5 }),
        workload('commands', { duplicated: 2, errors: 2, errorCodes: { TIMEOUT: 2 } }),
        workload('queries', { latency: { steady: { p50: 1, p99: 1500, p999: 6000, max: 7000, count: 10 }, outage: quiet }, hung: 1 }),
      ),
      rss(100, 100, 150, 210),
      { warmupMs: 5000 },
    );
    expect(v.pass).toBe(false);
    expect(v.failures).toEqual([
      'queue-simple lost 1',
      'events-store lost 2',
      'events lost 5',
      'commands duplication 0.200% > 0.1%',
      'commands: 2 failed sends outside outages > 0.1%',
      'queries p99 1500 ms > 1 s outside outages',
      'queries p99.9 6000 ms > 5 s outside outages',
      'queries: 1 sends never settled',
      'peak RSS 2.10× the baseline > 2×',
    ]);
  });

  it('judges latency and errors outside the outage windows only, and prints both', () => {
    const slowDuringOutage = { p50: 900, p99: 4000, p999: 6500, max: 7000, count: 300 };
    const w = workload('commands', { errors: 40, errorsDuringOutages: 39, latency: { steady: quiet, outage: slowDuringOutage }, recoveries: recovered });
    const v = judge(report([outage('KILL')], w), rss(100, 110), { warmupMs: 0 });
    expect(v).toMatchObject({ pass: true, failures: [] });
    expect(v.lines[0]).toBe('broker restarts: 1 × SIGKILL; exited 20 ms and answered again 2500 ms after the signal; outage windows: signal → answering + 5 s');
    expect(v.lines[1]).toContain('errors 4.000% (1 outside outages)');
    expect(v.lines[1]).toContain('latency outside outages p50 2.0 ms p99 20.0 ms p99.9 50.0 ms (1000), during outages p50 900 ms p99 4000 ms p99.9 6500 ms (300) max 7000 ms');
  });

  it('fails a workload that does not deliver again within the grace after a restart', () => {
    const v = judge(
      report([outage('KILL'), { ...outage('KILL'), signalAt: 40_000, downAt: 40_010, backAt: 42_000 }], workload('events', { recoveries: [{ ms: 5200, firstSentAt: 1 }, { ms: undefined, firstSentAt: undefined }] })),
      rss(100, 110),
      { warmupMs: 0 },
    );
    expect(v.failures).toEqual(['events delivered again 5200 ms after restart #1 > 5000 ms', 'events never delivered again after restart #2']);
  });

  it('under SIGKILL, reports stranded queue messages apart from lost ones', () => {
    const missingMessages = [missingBefore(10, 40), missingBefore(11, 30), missingBefore(12, 20), missingBefore(13, 10)];
    const counted = { pollsInFlightAtLoss: 1, transactionsOpenAtLoss: 0, unsettledAtLoss: 2, redeliveriesSkipped: 0 };
    const consumer = { afterOutage: [counted], atEnd: counted };
    const stream = (n: number) =>
      workload('queue-stream', { missing: n, missingDuringOutages: n, missingByOutage: [n], missingMessages: missingMessages.slice(0, n), maxItems: 3, consumer, recoveries: recovered });
    const within = judge(report([outage('KILL')], stream(3)), rss(100, 110), { warmupMs: 0 });
    expect(within).toMatchObject({ pass: true, accounts: [{ missing: 3, lost: 0, explained: { stranded: 3 } }] });
    expect(within.lines[1]).toContain('missing 3: lost 0, stranded 3');
    expect(within.lines).toContain('  SIGKILL #1: 3 missing (#10–#12, sent 40–20 ms before the signal); the consumer counted 0 transaction(s) open and 1 poll(s) cut off (may strand ≤ (0 + 1) × 3 = 3)');
    const beyond = judge(report([outage('KILL')], stream(4)), rss(100, 110), { warmupMs: 0 });
    expect(beyond.failures).toEqual(['queue-stream lost 1']);
    // One more missing, sent after the kill that left the dead poll and beyond its room: reported
    // apart (with a warning), not lost.
    const after = { ...stream(3), missing: 4, missingAfterOutages: 1, missingMessages: [...missingMessages.slice(0, 3), { seq: 20, sentAt: 20_000, confirmedAt: 20_002, nextOutage: undefined }] };
    const handed = judge(report([outage('KILL')], after), rss(100, 110), { warmupMs: 0 });
    expect(handed.pass).toBe(true);
    expect(handed.lines[1]).toContain('missing 4: lost 0, stranded 3, handed-to-dead-consumers 1');
    expect(handed.lines).toContain('  1 handed to dead consumers (beyond the room, sent after a SIGKILL that left some): #20');
    expect(handed.lines.some((l) => l.startsWith('  warning: 1 missing beyond the dead consumers\' room'))).toBe(true);
  });

  it('under SIGTERM, a durable workload may miss nothing; events may still miss what was sent during an outage', () => {
    const durable = ['queue-stream', 'queue-simple', 'events-store'].map((name) =>
      workload(name, { missing: 1, missingDuringOutages: 1, missingByOutage: [1], missingMessages: [missingBefore(5, 10)], maxItems: 3, recoveries: recovered, store: { storedMissing: [] } }),
    );
    const events = workload('events', { missing: 7, missingDuringOutages: 7, missingByOutage: [7], recoveries: recovered });
    const v = judge(report([outage('TERM')], ...durable, events), rss(100, 110), { warmupMs: 0 });
    expect(v.failures).toEqual(['queue-stream lost 1', 'queue-simple lost 1', 'events-store lost 1']);
    expect(v.accounts.at(-1)).toMatchObject({ workload: 'events', lost: 0, explained: { 'fire-and-forget': 7 } });
  });
});
