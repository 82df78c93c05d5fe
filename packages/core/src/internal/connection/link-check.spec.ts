import { LinkCheck, type LinkProbe } from './link-check.js';

const DEADLINE_EXCEEDED = { code: 4 };
const flush = () => new Promise((r) => setImmediate(r));
/** Lets every promise callback queued so far run (fake timers leave setImmediate alone, but not this). */
async function microtasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** A probe whose pings the test answers or times out by hand. */
function fakeProbe() {
  const pings: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  const state = { heard: 0, silent: 0 };
  const probe: LinkProbe = {
    ping: () => new Promise<void>((resolve, reject) => void pings.push({ resolve, reject })),
    heard: () => state.heard,
    silent: () => void state.silent++,
  };
  return { probe, pings, state };
}

/** A started check (pings every 1000 ms, 500 ms deadline) over a fake probe. */
function startedCheck() {
  const fake = fakeProbe();
  const check = new LinkCheck({ intervalMs: 1000, timeoutMs: 500 }, fake.probe);
  check.start();
  return { ...fake, check };
}

describe('LinkCheck', () => {
  afterEach(() => jest.useRealTimers());

  it('takes the link for dead only when two pings in a row time out with nothing heard', async () => {
    const { pings, state, check } = startedCheck();
    check.probeNow();
    await flush();
    pings[0]?.reject(DEADLINE_EXCEEDED);
    await flush();
    expect(pings).toHaveLength(2); // the confirming ping went at once
    expect(state.silent).toBe(0);
    pings[1]?.reject(DEADLINE_EXCEEDED);
    await flush();
    expect(state.silent).toBe(1);
    check.stop();
  });

  it('anything heard, or any other answer, clears a miss', async () => {
    const { pings, state, check } = startedCheck();
    check.probeNow();
    await flush();
    pings[0]?.reject(DEADLINE_EXCEEDED);
    await flush();
    state.heard++; // a stream message arrived while the confirming ping was out
    pings[1]?.reject(DEADLINE_EXCEEDED);
    await flush();
    check.probeNow();
    await flush();
    pings[2]?.reject({ code: 16 }); // UNAUTHENTICATED: the broker answered
    await flush();
    check.probeNow();
    await flush();
    pings[3]?.reject(DEADLINE_EXCEEDED);
    await flush();
    expect(pings).toHaveLength(5); // a first miss again, confirmed by the fifth
    expect(state.silent).toBe(0);
    check.stop();
  });

  it('ignores a probe from before stop() and start(), and the new run probes on its own schedule', async () => {
    jest.useFakeTimers();
    const { pings, state, check } = startedCheck();
    check.probeNow();
    await Promise.resolve();
    expect(pings).toHaveLength(1);
    check.stop();
    check.start();
    pings[0]?.reject(DEADLINE_EXCEEDED);
    await microtasks();
    expect(pings).toHaveLength(1); // no confirming ping for the stale miss
    jest.advanceTimersByTime(1000);
    await microtasks();
    expect(pings).toHaveLength(2);
    pings[1]?.reject(DEADLINE_EXCEEDED);
    await microtasks();
    expect(state.silent).toBe(0); // one miss of this run, not two
    check.stop();
  });

  it('works where timers are numbers without unref() (a jsdom test environment)', () => {
    const original = globalThis.setTimeout;
    const numeric = jest.fn(() => 1);
    globalThis.setTimeout = numeric as unknown as typeof setTimeout;
    try {
      const check = new LinkCheck({ intervalMs: 1000, timeoutMs: 500 }, fakeProbe().probe);
      expect(() => check.start()).not.toThrow();
      expect(numeric).toHaveBeenCalledWith(expect.any(Function), 1000);
      check.stop();
    } finally {
      globalThis.setTimeout = original;
    }
  });
});
