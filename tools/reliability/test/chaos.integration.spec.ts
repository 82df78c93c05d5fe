// Chaos: all six workloads at once while the broker is SIGKILLed and restarted three times in about
// a minute. A broker of its own (startKubemq(): the emulator in a child process, or a real binary
// with KUBEMQ_BINARY); skipped with a printed reason where kill/restart are unavailable
// (KUBEMQ_ADDRESS). The clients use the SDK's default reconnect policy, whose 4 s backoff ceiling
// is what makes the 5 s recovery bound below hold.
import { startKubemq, expectedCapabilities, type KubemqBroker } from '@kubemq/testing';
import { itWhen } from '@kubemq/testing/jest';
import { formatReport, runScenario, type ScenarioReport } from '../src/scenario.js';
import type { WorkloadReport } from '../src/tracker.js';

const caps = expectedCapabilities();
const canChaos = { ...caps, restart: caps.restart && caps.kill };

describe('chaos: broker killed and restarted under load', () => {
  let broker: KubemqBroker | undefined;
  let report: ScenarioReport;
  const by = (name: string) => report.workloads.find((w) => w.name === name) as WorkloadReport;

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
      restarts: { everyMs: 15_000, downMs: 2000, broker: { kill: () => b.kill(), restart: () => b.restart() } },
      drainTimeoutMs: 15_000,
      log: (line) => process.stdout.write(`chaos: ${line}\n`),
    });
    process.stdout.write(`chaos report (${report.outages.length} kills, ${report.durationMs} ms):\n${formatReport(report)}\n`);
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

  it('queue stream and events store lose nothing; events store has no duplicates', () => {
    expect({ lost: by('queue-stream').lost }).toEqual({ lost: 0 });
    expect({ lost: by('events-store').lost, duplicated: by('events-store').duplicated }).toEqual({ lost: 0, duplicated: 0 });
  });

  it('events are lost only during outages', () => {
    const e = by('events');
    expect(e.lost).toBe(e.lostDuringOutages);
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
