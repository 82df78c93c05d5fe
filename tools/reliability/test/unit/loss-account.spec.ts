// What each workload may miss under SIGKILL and SIGTERM without it counting as lost.
import { accountLosses, ACK_BEFORE_PERSIST_MS, seqRanges } from '../../src/loss-account.js';
import type { BrokerSignal, Outage } from '../../src/outage-window.js';
import type { ScenarioWorkloadReport } from '../../src/scenario.js';
import type { MissingMessage } from '../../src/tracker.js';

const quiet = { p50: 1, p99: 2, p999: 3, max: 4, count: 10 };

function workload(name: string, missing: MissingMessage[], over: Partial<ScenarioWorkloadReport> = {}): ScenarioWorkloadReport {
  return {
    name,
    attempted: 1000,
    sent: 1000,
    received: 1000 - missing.length,
    missing: missing.length,
    missingDuringOutages: 0,
    missingByOutage: [],
    missingAfterOutages: 0,
    missingMessages: missing,
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
    latency: { steady: quiet, outage: quiet },
    samples: [],
    ...over,
  };
}

/** Two outages: signals at 10 s and 30 s, back 3 s later. */
const outages = (signal: BrokerSignal): Outage[] => [
  { signal, signalAt: 10_000, downAt: 10_010, backAt: 13_000 },
  { signal, signalAt: 30_000, downAt: 30_010, backAt: 33_000 },
];
const msg = (seq: number, sentAt: number, confirmedAt = sentAt + 2, nextOutage: number | undefined = sentAt <= 10_000 ? 0 : sentAt <= 30_000 ? 1 : undefined): MissingMessage => ({
  seq,
  sentAt,
  confirmedAt,
  nextOutage,
});

describe('loss account: queue-stream', () => {
  /** The consumer's counters after each outage: cumulative polls cut off, and transactions open. */
  const counters = (polls: number[], transactions: number[] = polls.map(() => 0)) => ({
    afterOutage: polls.map((p, i) => ({ pollsInFlightAtLoss: p, transactionsOpenAtLoss: transactions[i] ?? 0, unsettledAtLoss: 0, redeliveriesSkipped: 0 })),
    atEnd: { pollsInFlightAtLoss: polls.at(-1) ?? 0, transactionsOpenAtLoss: transactions.at(-1) ?? 0, unsettledAtLoss: 4, redeliveriesSkipped: 1 },
  });

  it('counts as stranded, per kill, up to the polls cut off and transactions open that the consumer counted × maxItems', () => {
    // Kill 1: 3 missing, 1 poll cut off × 3 → all stranded. Kill 2: 5 missing, 1 more poll → 3
    // stranded, 2 beyond the room, sent after kill 1 left a dead poll: handed to dead consumers.
    const missing = [msg(7, 9900), msg(8, 9910), msg(9, 9950), ...[40, 41, 42, 43, 44].map((s) => msg(s, 29_900 + s))];
    const w = workload('queue-stream', missing, { missingByOutage: [3, 5], maxItems: 3, consumer: counters([1, 2]) });
    const a = accountLosses(w, outages('KILL'));
    expect(a).toMatchObject({ missing: 8, lost: 0, explained: { stranded: 6, 'handed-to-dead-consumers': 2 } });
    expect(a.details).toContain('SIGKILL #1: 3 missing (#7–#9, sent 100–50 ms before the signal); the consumer counted 0 transaction(s) open and 1 poll(s) cut off (may strand ≤ (0 + 1) × 3 = 3)');
    expect(a.details).toContain('SIGKILL #2: 5 missing (#40–#44, sent 60–56 ms before the signal); the consumer counted 0 transaction(s) open and 1 poll(s) cut off (may strand ≤ (0 + 1) × 3 = 3): 2 beyond the room, sent after SIGKILL #1 left dead consumers');
  });

  it('a transaction open at a kill strands up to maxItems, not just what the handler got: what it captured and what the restarted broker dealt to it', () => {
    // Kill 1 cut off no poll: the consumer's batch was in hand. 3 missing, maxItems 10.
    const w = workload('queue-stream', [msg(1, 9900), msg(2, 9910), msg(3, 9920)], { missingByOutage: [3, 0], maxItems: 10, consumer: counters([0, 0], [1, 1]) });
    const a = accountLosses(w, outages('KILL'));
    expect(a).toMatchObject({ missing: 3, lost: 0, explained: { stranded: 3 } });
    expect(a.details).toContain('SIGKILL #1: 3 missing (#1–#3, sent 100–80 ms before the signal); the consumer counted 1 transaction(s) open and 0 poll(s) cut off (may strand ≤ (1 + 0) × 10 = 10)');
  });

  it("a kill's dead consumers keep their room across later restarts: messages sent after it are stranded while room is left", () => {
    // Kill 1: 1 poll cut off, maxItems 4, 1 missing from before it. Then 2 missing sent between the
    // kills (kill 2 counted nothing) and 2 after the last: 3 of the 4 fit in the room left, the
    // other is beyond it.
    const missing = [msg(1, 9900), msg(2, 20_000), msg(3, 20_010), msg(4, 40_000), msg(5, 40_010)];
    const w = workload('queue-stream', missing, { missingByOutage: [1, 2], missingAfterOutages: 2, maxItems: 4, consumer: counters([1, 1]) });
    const a = accountLosses(w, outages('KILL'));
    expect(a).toMatchObject({ missing: 5, lost: 0, explained: { stranded: 4, 'handed-to-dead-consumers': 1 } });
    expect(a.details).toContain('SIGKILL #2: 2 missing (#2–#3, sent 10000–9990 ms before the signal); the consumer counted 0 transaction(s) open and 0 poll(s) cut off (may strand ≤ (0 + 0) × 4 = 0, and 3 left by earlier kills)');
    expect(a.details).toContain("2 missing sent after the last signal (1 within the room the kills' dead consumers had left; 1 beyond it, sent after SIGKILL #1 left dead consumers)");
  });

  it('reports missing messages beyond the room, sent after a kill that left dead consumers, as handed to dead consumers, with a warning', () => {
    // Kill 1 left 1 dead poll (room 2): 1 missing from before it is stranded. Between the kills 3
    // go missing: 1 fills the room, 2 are beyond it (a given-back message goes to a dead consumer
    // past its room). After the last kill 1 more. None of these is lost.
    const missing = [msg(1, 9900), msg(2, 20_000), msg(3, 20_010), msg(4, 20_020), msg(5, 40_000)];
    const w = workload('queue-stream', missing, { missingByOutage: [1, 3], missingAfterOutages: 1, maxItems: 2, consumer: counters([1, 1]) });
    const a = accountLosses(w, outages('KILL'));
    expect(a).toMatchObject({ missing: 5, lost: 0, explained: { stranded: 2, 'handed-to-dead-consumers': 3 } });
    expect(a.details).toContain(
      'SIGKILL #2: 3 missing (#2–#4, sent 10000–9980 ms before the signal); the consumer counted 0 transaction(s) open and 0 poll(s) cut off (may strand ≤ (0 + 0) × 2 = 0, and 1 left by earlier kills): 2 beyond the room, sent after SIGKILL #1 left dead consumers',
    );
    expect(a.details).toContain('1 missing sent after the last signal (1 beyond it, sent after SIGKILL #1 left dead consumers)');
    expect(a.details).toContain('3 handed to dead consumers (beyond the room, sent after a SIGKILL that left some): #3–#5');
    expect(a.warnings).toHaveLength(1);
    expect(a.warnings[0]).toMatch(/^3 missing beyond the dead consumers' room, sent after a SIGKILL that left some: not counted as lost/);
  });

  it('keeps as lost what is beyond the room and sent before the first kill that left dead consumers, or after kills that left none', () => {
    // Kill 1 counted nothing: what follows it cannot have gone to a dead consumer. Kill 2 left one
    // (room 1): of the 3 sent before it, 1 is stranded and 2 are lost.
    const missing = [msg(1, 9900), msg(2, 20_000), msg(3, 20_010), msg(4, 20_020)];
    const w = workload('queue-stream', missing, { missingByOutage: [1, 3], maxItems: 1, consumer: counters([0, 1]) });
    const a = accountLosses(w, outages('KILL'));
    expect(a).toMatchObject({ missing: 4, lost: 3, explained: { stranded: 1 } });
    expect(a.warnings).toEqual([]);
  });

  it('loses whatever was sent after the last kill, and everything when the consumer counted nothing', () => {
    const w = workload('queue-stream', [msg(1, 9900), msg(2, 40_000)], { missingByOutage: [1, 0], missingAfterOutages: 1, maxItems: 10, consumer: counters([0, 0]) });
    expect(accountLosses(w, outages('KILL'))).toMatchObject({ missing: 2, lost: 2, explained: {} });
  });

  it('strands nothing under SIGTERM: every missing message is lost', () => {
    const w = workload('queue-stream', [msg(1, 9900), msg(2, 40_000)], { missingByOutage: [1, 0], missingAfterOutages: 1, maxItems: 10, consumer: counters([1, 1], [1, 1]) });
    const a = accountLosses(w, outages('TERM'));
    expect(a).toMatchObject({ lost: 2, explained: {} });
    expect(a.details[1]).toMatch(/SIGTERM #1: 1 missing .*the broker returns their messages after a SIGTERM\): 1 not explained/);
  });

  it('reports what reached the handler unsettled and the redeliveries it skipped', () => {
    const a = accountLosses(workload('queue-stream', [], { maxItems: 3, consumer: counters([1, 1]) }), outages('KILL'));
    expect(a).toMatchObject({ missing: 0, lost: 0 });
    expect(a.details[0]).toBe('the consumer counted 4 messages unsettled when a stream was lost (they reached the handler) and skipped 1 redeliveries of messages it had handled');
  });
});

describe('loss account: queue-simple', () => {
  const failedReceives = [
    { startedAt: 9990, endedAt: 10_020 }, // cut off by the first kill
    { startedAt: 10_200, endedAt: 12_000 }, // started during the outage: not cut off
  ];

  it('under SIGKILL, what was sent within an outage window is at-most-once; beyond what the cut-off receives could hold it warns', () => {
    const missing = [msg(1, 9800), msg(2, 9810), msg(3, 9820), msg(4, 9830)];
    const w = workload('queue-simple', missing, { missingDuringOutages: 4, missingByOutage: [4, 0], maxItems: 3, failedReceives });
    const a = accountLosses(w, outages('KILL'));
    expect(a).toMatchObject({ missing: 4, lost: 0, explained: { 'at-most-once': 4 } });
    expect(a.details[0]).toBe('SIGKILL #1: 4 missing (#1–#4, sent 200–170 ms before the signal); 1 receive(s) cut off by the signal (they could hold 3)');
    expect(a.warnings).toEqual(['4 missing around SIGKILLs, more than the 3 the receives cut off could hold: the broker kept messages beyond the receive in hand']);
  });

  it('loses what was sent outside the windows, and everything under SIGTERM', () => {
    const w = workload('queue-simple', [msg(1, 5000), msg(2, 9900)], { missingDuringOutages: 1, missingByOutage: [2, 0], maxItems: 3, failedReceives });
    expect(accountLosses(w, outages('KILL'))).toMatchObject({ lost: 1, explained: { 'at-most-once': 1 } });
    expect(accountLosses(w, outages('TERM'))).toMatchObject({ lost: 2, explained: {} });
  });
});

describe('loss account: events-store', () => {
  it('under SIGKILL, an event acknowledged just before the kill (or after it) and not in the store is unpersisted', () => {
    const justBefore = msg(1, 9950, 10_000 - ACK_BEFORE_PERSIST_MS + 10);
    const after = msg(2, 9990, 10_005);
    const early = msg(3, 9000, 9000 + 2); // acknowledged 1 s before the kill: the broker had time to store it
    const stored = msg(4, 9990, 9995); // in the store, never delivered: the subscription lost it
    const w = workload('events-store', [justBefore, after, early, stored], { store: { storedMissing: [4] } });
    const a = accountLosses(w, outages('KILL'));
    expect(a).toMatchObject({ missing: 4, lost: 2, explained: { unpersisted: 2 } });
    expect(a.details).toEqual([
      '#1: acknowledged (Sent: true) at -90 ms from SIGKILL #1; not in the store: acknowledged before the broker persisted it',
      '#2: acknowledged (Sent: true) at +5 ms from SIGKILL #1; not in the store: acknowledged before the broker persisted it',
      '#3: acknowledged (Sent: true) at -998 ms from SIGKILL #1; not in the store',
      '#4: acknowledged (Sent: true) at -5 ms from SIGKILL #1; the store holds it, yet the subscriber never got it',
      `2 acknowledged within ${ACK_BEFORE_PERSIST_MS} ms of a SIGKILL and not in the store (the broker answers before persisting)`,
    ]);
  });

  it('under SIGTERM, or when the store cannot be read back, every missing event is lost', () => {
    const w = workload('events-store', [msg(1, 9990, 9999)], { store: { storedMissing: [] } });
    expect(accountLosses(w, outages('TERM'))).toMatchObject({ lost: 1, explained: {} });
    const unread = accountLosses({ ...w, store: { error: 'timed out' } }, outages('KILL'));
    expect(unread).toMatchObject({ lost: 1, details: ['the store could not be read back (timed out): every missing event counts as lost'] });
  });
});

describe('loss account: events, commands, queries, and runs without restarts', () => {
  it('events sent within an outage window are fire-and-forget; the others are lost', () => {
    const w = workload('events', [msg(1, 9900), msg(2, 20_000)], { missingDuringOutages: 1 });
    expect(accountLosses(w, outages('KILL'))).toMatchObject({ lost: 1, explained: { 'fire-and-forget': 1 } });
  });

  it('an answered request its responder never saw is lost under either signal', () => {
    for (const signal of ['KILL', 'TERM'] as const) {
      expect(accountLosses(workload('commands', [msg(1, 9990)]), outages(signal))).toMatchObject({ lost: 1, explained: {} });
    }
  });

  it('without restarts every missing message is lost', () => {
    for (const name of ['events', 'events-store', 'queue-stream', 'queue-simple', 'queries']) {
      expect(accountLosses(workload(name, [msg(1, 100, 102, undefined)], { missingAfterOutages: 1 }), [])).toMatchObject({ workload: name, signal: undefined, lost: 1 });
    }
  });
});

describe('sequence ranges', () => {
  it('compresses runs and cuts long lists', () => {
    expect(seqRanges([1, 2, 3, 5, 7, 8])).toBe('#1–#3, #5, #7–#8');
    expect(seqRanges([1, 3, 5, 7], 2)).toBe('#1, #3, …');
  });
});
