// Chaos: all six workloads at once while the broker is SIGKILLed and restarted three times in about
// a minute. A broker of its own (startKubemq(): the emulator in a child process, or a real binary
// with KUBEMQ_BINARY); skipped with a printed reason where kill/restart are unavailable
// (KUBEMQ_ADDRESS). The clients use the SDK's default reconnect policy, whose 4 s backoff ceiling
// is what makes the 5 s recovery bound below hold. Losses are judged by the broker's contract
// (src/loss-account.ts): a kill may strand what the queue consumer counted in cut-off polls, and
// what a cut-off simple receive had taken; nothing else may go missing.
import { startKubemq, expectedCapabilities, type KubemqBroker } from '@kubemq/testing';
import { itWhen } from '@kubemq/testing/jest';
import { accountLosses, type LossAccount } from '../src/loss-account.js';
import { formatReport, runScenario, type ScenarioReport, type ScenarioWorkloadReport } from '../src/scenario.js';

const caps = expectedCapabilities();
const canChaos = { ...caps, restart: caps.restart && caps.kill };

describe('chaos: broker killed and restarted under load', () => {
  let broker: KubemqBroker | undefined;
  let report: ScenarioReport;
  const by = (name: string) => report.workloads.find((w) => w.name === name) as ScenarioWorkloadReport;
  const account = (name: string): LossAccount => accountLosses(by(name), report.outages);

  beforeAll(async () => {
    if (!canChaos.restart) return;
    broker = await startKubemq();
    const b = broker;
    report = await runScenario({
      address: b.address,
      rates: { events: 30, 'events-store': 30, 'queue-stream': 20, 'queue-simple': 20, commands: 10, queries: 10 },
      payloadBytes: 1024,
      durationMs: 60_000,
      sendTimeoutMs: 3000,
      restarts: { everyMs: 15_000, downMs: 2000, signal: 'KILL', broker: { kill: () => b.kill(), stop: () => b.stop(), restart: () => b.restart() } },
      drainTimeoutMs: 15_000,
      log: (line) => process.stdout.write(`chaos: ${line}\n`),
    });
    const accounts = report.workloads.map((w) => accountLosses(w, report.outages));
    const explained = accounts.map((a) => [`${a.workload}: missing ${a.missing}, lost ${a.lost} ${JSON.stringify(a.explained)}`, ...a.details.map((d) => `  ${d}`)].join('\n'));
    process.stdout.write(`chaos report (${report.outages.length} kills, ${report.durationMs} ms):\n${formatReport(report)}\n${explained.join('\n')}\n`);
  }, 170_000);
  afterAll(async () => {
    await broker?.[Symbol.asyncDispose]();
  });

  const it = itWhen('restart', canChaos);

  it('killed the broker three times and every workload carried traffic', () => {
    expect(report.outages).toHaveLength(3);
    for (const w of report.workloads) {
      expect({ name: w.name, sentSome: w.sent > 0, receivedSome: w.received > 0 }).toEqual({ name: w.name, sentSome: true, receivedSome: true });
    }
  });

  it('queue stream misses at most what its consumer counted in polls the kills cut off; nothing is handled twice', () => {
    // The whole account (with its per-kill details) is printed when this fails.
    expect(account('queue-stream')).toMatchObject({ lost: 0 });
    expect(by('queue-stream').duplicated).toBe(0);
  });

  it('events store loses nothing the broker acknowledged and stored, and has no duplicates', () => {
    expect(account('events-store')).toMatchObject({ lost: 0 });
    expect(by('events-store').duplicated).toBe(0);
  });

  it('queue simple and events miss messages only around the kills; every answered request reached its responder', () => {
    for (const name of ['queue-simple', 'events', 'commands', 'queries']) {
      expect(account(name)).toMatchObject({ workload: name, lost: 0 });
    }
  });

  it('every subscription and responder is live again within 5 s of the broker’s return', () => {
    for (const w of report.workloads) {
      expect({ name: w.name, recoveries: w.recoveries.map((r) => r.ms !== undefined && r.ms <= 5000) }).toEqual({ name: w.name, recoveries: [true, true, true] });
    }
  });

  it('every failed send failed with a typed error; nothing hung', () => {
    for (const w of report.workloads) {
      expect({ name: w.name, untyped: w.untypedErrors, hung: w.hung, samples: w.samples.filter((s) => s.startsWith('untyped')) }).toEqual({ name: w.name, untyped: 0, hung: 0, samples: [] });
    }
  });

  it('commands and queries issued during an outage fail with a typed error, not a hang', () => {
    for (const name of ['commands', 'queries']) {
      const w = by(name);
      expect(w.errors).toBeGreaterThan(0);
      expect({ name, untyped: w.untypedErrors, hung: w.hung }).toEqual({ name, untyped: 0, hung: 0 });
    }
  });
});
