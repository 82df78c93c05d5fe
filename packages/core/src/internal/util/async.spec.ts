import { ValidationError } from '../errors/kubemq-error.js';
import { callQuietly, deadline, deferred, onAbort, timeLimit, within } from './async.js';
import { wallClockDeadline } from './monotonic.js';

/** A signal whose listeners are counted (added minus removed). */
function countedSignal(): { ac: AbortController; listeners: () => number } {
  const ac = new AbortController();
  let listeners = 0;
  const add = ac.signal.addEventListener.bind(ac.signal);
  const remove = ac.signal.removeEventListener.bind(ac.signal);
  ac.signal.addEventListener = ((...args: Parameters<typeof add>) => (listeners++, add(...args))) as typeof add;
  ac.signal.removeEventListener = ((...args: Parameters<typeof remove>) => (listeners--, remove(...args))) as typeof remove;
  return { ac, listeners: () => listeners };
}

describe('deferred', () => {
  const operation = 'events.send';

  it('settles once and passes the value on', async () => {
    const d = deferred<number>({ operation, channel: 'ch', timeoutMs: 60_000 });
    expect(d.settled).toBe(false);
    d.resolve(1);
    d.reject(new ValidationError({ message: 'late', operation }));
    expect(d.settled).toBe(true);
    await expect(d.promise).resolves.toBe(1);
  });

  it('a bound longer than a Node timer can wait (2^31 - 1 ms) does not end at once', async () => {
    for (const timeoutMs of [2_147_483_648, 3e9]) {
      const d = deferred<string>({ operation, timeoutMs });
      await expect(within(d.promise, { timeoutMs: 30 })).resolves.toBe('timeout');
      expect(d.settled).toBe(false);
      d.resolve('x');
    }
    const controller = new AbortController();
    const stop = timeLimit(controller, { timeoutMs: 3e9 });
    await expect(within(new Promise(() => undefined), { timeoutMs: 3e9, signal: AbortSignal.timeout(30) })).resolves.toBe('aborted');
    expect(controller.signal.aborted).toBe(false);
    // gRPC's deadline: a Node gRPC server ends a call at once past that delay (sent in seconds, rounded up).
    expect(wallClockDeadline(performance.now() + 3e9).getTime() - Date.now()).toBeLessThanOrEqual(2_147_482_647);
    stop();
  });

  it('without a bound it never settles by itself', async () => {
    const d = deferred<string>();
    await expect(within(d.promise, { timeoutMs: 10 })).resolves.toBe('timeout');
    d.resolve('x');
    await expect(d.promise).resolves.toBe('x');
  });

  it('rejects with CANCELLED at once for an aborted signal, later for an abort, naming the channel only when there is one', async () => {
    const early = deferred<void>({ operation, channel: 'ch', timeoutMs: 60_000, signal: AbortSignal.abort() });
    expect(early.settled).toBe(true);
    await expect(early.promise).rejects.toMatchObject({ code: 'CANCELLED', channel: 'ch', operation, message: 'events.send was aborted' });
    const late = new AbortController();
    const d = deferred<void>({ operation, channel: '', timeoutMs: 60_000, signal: late.signal });
    late.abort();
    const err = await d.promise.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CANCELLED' });
    expect((err as { channel?: string }).channel).toBeUndefined();
  });

  it('rejects with a TimeoutError after timeoutMs, in the words it is given, telling onExpire first', async () => {
    const expired: unknown[] = [];
    const d = deferred<void>({ operation, channel: 'ch', timeoutMs: 5, late: 'got no answer from the broker', onExpire: (err) => expired.push(err) });
    const err = await d.promise.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TIMEOUT', timeoutMs: 5, channel: 'ch', retryable: true, message: 'events.send got no answer from the broker within 5 ms' });
    expect(expired).toEqual([err]);
    expect((err as { sent?: boolean }).sent).toBeUndefined();
  });

  it("a request's bound says whether it had been sent when its time ran out", async () => {
    const unsent = await deferred<void>({ operation, timeoutMs: 5, sent: false }).promise.catch((e: unknown) => e);
    expect(unsent).toMatchObject({ code: 'TIMEOUT', sent: false });
  });

  it('removes its abort listener once settled, whichever way', async () => {
    const { ac, listeners } = countedSignal();
    deferred<number>({ operation, timeoutMs: 60_000, signal: ac.signal }).resolve(1);
    const rejected = deferred<number>({ operation, timeoutMs: 60_000, signal: ac.signal });
    rejected.reject(new Error('x'));
    await expect(rejected.promise).rejects.toThrow('x');
    await deferred<number>({ operation, timeoutMs: 1, signal: ac.signal }).promise.catch(() => undefined);
    expect(listeners()).toBe(0);
  });
});

describe('deadline', () => {
  it('resolves with the work when it finishes in time', async () => {
    await expect(deadline(Promise.resolve(7), { operation: 'op', timeoutMs: 1000, signal: undefined, what: 'the work' })).resolves.toBe(7);
  });

  it('expires with a TimeoutError when the work takes longer, telling onExpire first', async () => {
    const expired: unknown[] = [];
    const never = new Promise<never>(() => undefined);
    await expect(
      deadline(never, { operation: 'op', channel: 'q', timeoutMs: 20, signal: undefined, what: 'the work', onExpire: (err) => expired.push(err) }),
    ).rejects.toMatchObject({ code: 'TIMEOUT', timeoutMs: 20, channel: 'q', message: 'the work did not complete within 20 ms' });
    expect(expired).toHaveLength(1);
  });

  it('an already aborted signal expires at once, and the rejection its expiry causes stays handled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let rejectWork!: (err: Error) => void;
      const work = new Promise<never>((_, reject) => (rejectWork = reject));
      const outcome = deadline(work, {
        operation: 'op',
        timeoutMs: 1000,
        signal: AbortSignal.abort(),
        what: 'the work',
        // As a poll does: the expiry ends the stream, which rejects the work.
        onExpire: () => rejectWork(new Error('stream cancelled')),
      });
      await expect(outcome).rejects.toMatchObject({ code: 'CANCELLED', message: 'the work was aborted' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('removes its abort listener whichever way it ends', async () => {
    const { ac, listeners } = countedSignal();
    await deadline(Promise.resolve(1), { operation: 'op', timeoutMs: 1000, signal: ac.signal, what: 'the work' });
    await expect(deadline(Promise.reject(new Error('x')), { operation: 'op', timeoutMs: 1000, signal: ac.signal, what: 'the work' })).rejects.toThrow('x');
    expect(listeners()).toBe(0);
  });
});

describe('within', () => {
  it('reports done (resolved or rejected), timeout or aborted, and never rejects', async () => {
    await expect(within(Promise.resolve(), { timeoutMs: 1_000 })).resolves.toBe('done');
    await expect(within(Promise.reject(new Error('x')), { timeoutMs: 1_000 })).resolves.toBe('done');
    await expect(within(new Promise(() => undefined), { timeoutMs: 5 })).resolves.toBe('timeout');
    await expect(within(new Promise(() => undefined), { signal: AbortSignal.abort() })).resolves.toBe('aborted');
    const ac = new AbortController();
    const waiting = within(new Promise(() => undefined), { timeoutMs: 60_000, signal: ac.signal });
    ac.abort();
    await expect(waiting).resolves.toBe('aborted');
  });

  it('removes its abort listener when the promise settles first', async () => {
    const { ac, listeners } = countedSignal();
    await within(Promise.resolve(), { timeoutMs: 60_000, signal: ac.signal });
    expect(listeners()).toBe(0);
  });
});

describe('onAbort', () => {
  it('runs the listener once on abort, at once for an aborted signal, never after it was removed', () => {
    const calls: string[] = [];
    const ac = new AbortController();
    onAbort(ac.signal, () => calls.push('a'));
    const remove = onAbort(ac.signal, () => calls.push('removed'));
    remove();
    ac.abort();
    ac.abort();
    onAbort(ac.signal, () => calls.push('late'));
    onAbort(undefined, () => calls.push('none'))();
    expect(calls).toEqual(['a', 'late']);
  });
});

describe('timeLimit', () => {
  afterEach(() => jest.useRealTimers());

  it('aborts with "timeout" when the time passes, at once for 0', () => {
    jest.useFakeTimers();
    const ac = new AbortController();
    timeLimit(ac, { timeoutMs: 100 });
    jest.advanceTimersByTime(99);
    expect(ac.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(ac.signal.reason).toBe('timeout');
    const now = new AbortController();
    timeLimit(now, { timeoutMs: 0 });
    expect(now.signal.reason).toBe('timeout');
  });

  it('aborts with "cancelled" when its signal aborts; the first limit of several wins; disarmed, it does nothing', () => {
    jest.useFakeTimers();
    const ac = new AbortController();
    const caller = new AbortController();
    const disarm = timeLimit(ac, { timeoutMs: 1_000 });
    timeLimit(ac, { timeoutMs: 60_000, signal: caller.signal });
    caller.abort();
    expect(ac.signal.reason).toBe('cancelled');
    jest.advanceTimersByTime(1_000);
    expect(ac.signal.reason).toBe('cancelled');
    disarm();

    const quiet = new AbortController();
    const { ac: watched, listeners } = countedSignal();
    timeLimit(quiet, { timeoutMs: 50, signal: watched.signal })();
    expect(listeners()).toBe(0);
    jest.advanceTimersByTime(100);
    watched.abort();
    expect(quiet.signal.aborted).toBe(false);
  });
});

describe('callQuietly', () => {
  it("drops an application callback's throw and the rejection of the promise it returns", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const calls: string[] = [];
      callQuietly(() => {
        calls.push('sync');
        throw new Error('sync');
      });
      callQuietly(async () => {
        calls.push('async');
        throw new Error('async'); // an async onError whose error tracker is down
      });
      callQuietly(() => ({ then: 42 }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(calls).toEqual(['sync', 'async']);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
