import { ConcurrencyLimiter, EXPIRY_SWEEP_MS } from './limiter.js';

/** A task the test finishes by hand. */
interface Gate {
  item: number;
  resolve(): void;
  reject(err: unknown): void;
}

function gatedLimiter(limit: number) {
  const started: Gate[] = [];
  const failures: unknown[] = [];
  const limiter = new ConcurrencyLimiter<number>(
    limit,
    (item) =>
      new Promise<void>((resolve, reject) => {
        started.push({ item, resolve, reject });
      }),
    (err) => failures.push(err),
  );
  /** The task started for `item` (throws when it has not started). */
  const task = (item: number): Gate => {
    const gate = started.find((g) => g.item === item);
    if (!gate) throw new Error(`task ${item} has not started`);
    return gate;
  };
  return { limiter, started, failures, task };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ConcurrencyLimiter', () => {
  it('runs up to the limit at once and queues the rest in arrival order', async () => {
    const { limiter, started, task } = gatedLimiter(2);
    for (let i = 0; i < 5; i++) limiter.push(i);
    expect(started.map((g) => g.item)).toEqual([0, 1]);
    expect(limiter.running).toBe(2);
    expect(limiter.queued).toBe(3);

    task(1).resolve();
    await flush();
    expect(started.map((g) => g.item)).toEqual([0, 1, 2]);
    task(0).resolve();
    await flush();
    expect(started.map((g) => g.item)).toEqual([0, 1, 2, 3]);
    expect(limiter.running).toBe(2);
    expect(limiter.queued).toBe(1);

    task(2).resolve();
    task(3).resolve();
    await flush();
    expect(started.map((g) => g.item)).toEqual([0, 1, 2, 3, 4]);
    expect(limiter.running).toBe(1);
    expect(limiter.queued).toBe(0);
  });

  it('never runs more than the limit, through a long queue', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    const limiter = new ConcurrencyLimiter<number>(
      3,
      async (item) => {
        running++;
        peak = Math.max(peak, running);
        await flush();
        running--;
        done.push(item);
      },
      (err) => {
        throw err;
      },
    );
    // Past the compaction threshold of the queue, so the array is compacted while it drains.
    const n = 3000;
    for (let i = 0; i < n; i++) limiter.push(i);
    await new Promise<void>((resolve) => limiter.whenIdle(resolve));
    expect(peak).toBe(3);
    expect(done).toHaveLength(n);
    // Started in order; with equal durations they also finish in order.
    expect(done).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('frees the slot of a task that rejects or throws, and reports the failure', async () => {
    const failures: unknown[] = [];
    const boom = new Error('boom');
    const ran: number[] = [];
    const limiter = new ConcurrencyLimiter<number>(
      1,
      (item) => {
        ran.push(item);
        if (item === 0) return Promise.reject(boom);
        if (item === 1) throw boom;
        return Promise.resolve();
      },
      (err) => failures.push(err),
    );
    limiter.push(0);
    limiter.push(1);
    limiter.push(2);
    await new Promise<void>((resolve) => limiter.whenIdle(resolve));
    expect(ran).toEqual([0, 1, 2]);
    expect(failures).toEqual([boom, boom]);
  });

  it('whenIdle fires at once when idle, else once when the last task ends', async () => {
    const { limiter, task } = gatedLimiter(1);
    let idle = 0;
    limiter.whenIdle(() => idle++);
    expect(idle).toBe(1);

    limiter.push(0);
    limiter.push(1);
    limiter.whenIdle(() => idle++);
    task(0).resolve();
    await flush();
    expect(idle).toBe(1); // item 1 still runs
    task(1).resolve();
    await flush();
    expect(idle).toBe(2);

    limiter.push(2);
    task(2).resolve();
    await flush();
    expect(idle).toBe(2); // fired once, not on every later idle moment
  });

  it('whenIdle keeps every listener given while busy and calls each once, in order', async () => {
    const { limiter, task } = gatedLimiter(1);
    const calls: string[] = [];
    limiter.push(0);
    limiter.whenIdle(() => calls.push('first'));
    limiter.whenIdle(() => calls.push('second'));
    task(0).resolve();
    await flush();
    expect(calls).toEqual(['first', 'second']);
    limiter.push(1);
    task(1).resolve();
    await flush();
    expect(calls).toEqual(['first', 'second']);
  });

  it('clear() drops the waiting items, returns them oldest first, and lets running ones finish', async () => {
    const { limiter, started, task } = gatedLimiter(1);
    limiter.push(0);
    limiter.push(1);
    limiter.push(2);
    expect(limiter.clear()).toEqual([1, 2]);
    expect(limiter.queued).toBe(0);
    task(0).resolve();
    await flush();
    expect(started.map((g) => g.item)).toEqual([0]);
    expect(limiter.running).toBe(0);
  });

  it('passes failures of gated tasks to the callback', async () => {
    const { limiter, started, failures, task } = gatedLimiter(1);
    limiter.push(0);
    limiter.push(1);
    const err = new Error('late');
    task(0).reject(err);
    await flush();
    expect(failures).toEqual([err]);
    expect(started.map((g) => g.item)).toEqual([0, 1]);
  });

  describe('with an expiry', () => {
    /** Items are their deadlines, from the test's start (Infinity: never); task 0 holds the only slot. */
    function expiringLimiter() {
      const start = performance.now();
      const started: number[] = [];
      const expired: number[] = [];
      let release!: () => void;
      const limiter = new ConcurrencyLimiter<number>(
        1,
        (item) => {
          started.push(item);
          return item === 0 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
        },
        (err) => {
          throw err;
        },
        { deadline: (item) => start + item, expired: (item) => expired.push(item) },
      );
      limiter.push(0);
      return { limiter, started, expired, release: () => release() };
    }

    beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] }));
    afterEach(() => jest.useRealTimers());

    it('a waiting item leaves the queue when its deadline passes, though no slot frees; one without a deadline waits on', async () => {
      const { limiter, started, expired, release } = expiringLimiter();
      for (const deadline of [100, 100, 200, Infinity]) limiter.push(deadline);
      jest.advanceTimersByTime(99);
      expect(expired).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(expired).toEqual([100, 100]);
      expect(limiter.queued).toBe(2);
      jest.advanceTimersByTime(100);
      expect(expired).toEqual([100, 100, 200]);
      expect(limiter.queued).toBe(1);
      // Nothing is due any more: no timer is left behind.
      expect(jest.getTimerCount()).toBe(0);
      release();
      await flush();
      expect(started).toEqual([0, Infinity]);
      expect(limiter.queued).toBe(0);
    });

    it('deadlines out of arrival order each leave by theirs, the queue read at most every EXPIRY_SWEEP_MS', () => {
      const { limiter, expired } = expiringLimiter();
      for (const deadline of [500, 20, 40, 30, 600]) limiter.push(deadline);
      jest.advanceTimersByTime(20);
      expect(expired).toEqual([20]);
      jest.advanceTimersByTime(EXPIRY_SWEEP_MS - 1);
      expect(expired).toEqual([20]);
      jest.advanceTimersByTime(1);
      expect(expired).toEqual([20, 40, 30]);
      // Deadlines further apart than that: each leaves at its own.
      jest.advanceTimersByTime(500 - 20 - EXPIRY_SWEEP_MS);
      expect(expired).toEqual([20, 40, 30, 500]);
      jest.advanceTimersByTime(100);
      expect(expired).toEqual([20, 40, 30, 500, 600]);
      expect(limiter.queued).toBe(0);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('an item that got a slot before its deadline is not expired; clear() drops the timer', async () => {
      const { limiter, started, expired, release } = expiringLimiter();
      limiter.push(50);
      limiter.push(80);
      release();
      await flush();
      expect(started).toEqual([0, 50, 80]);
      jest.advanceTimersByTime(100);
      expect(expired).toEqual([]);

      const second = expiringLimiter();
      second.limiter.push(50);
      expect(second.limiter.clear()).toEqual([50]);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('a queue of 100,000 with one timeout expires in order, in reads EXPIRY_SWEEP_MS apart', () => {
      const { limiter, expired } = expiringLimiter();
      for (let i = 1; i <= 100_000; i++) limiter.push(1_000 + i / 1_000);
      jest.advanceTimersByTime(1_000);
      expect(expired).toHaveLength(0);
      // The timer fires at the first deadline, rounded up to the millisecond: those due by then leave.
      jest.advanceTimersByTime(1);
      expect(expired).toHaveLength(1_000);
      expect(limiter.queued).toBe(99_000);
      jest.advanceTimersByTime(EXPIRY_SWEEP_MS - 1);
      expect(expired).toHaveLength(1_000);
      jest.advanceTimersByTime(1);
      expect(expired).toHaveLength(100_000);
      expect(expired.every((d, i) => i === 0 || (expired[i - 1] as number) <= d)).toBe(true);
    });
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a limit of %p', (limit) => {
    expect(() => new ConcurrencyLimiter<number>(limit, () => Promise.resolve(), () => undefined)).toThrow(RangeError);
  });
});
