import { withDeadline } from './deadline.js';

describe('withDeadline', () => {
  it('resolves with the work when it finishes in time', async () => {
    await expect(withDeadline(Promise.resolve(7), { operation: 'op', timeoutMs: 1000, signal: undefined, what: 'the work' })).resolves.toBe(7);
  });

  it('expires with a TimeoutError when the work takes longer, telling onExpire first', async () => {
    const expired: unknown[] = [];
    const never = new Promise<never>(() => undefined);
    await expect(
      withDeadline(never, { operation: 'op', channel: 'q', timeoutMs: 20, signal: undefined, what: 'the work', onExpire: (err) => expired.push(err) }),
    ).rejects.toMatchObject({ code: 'TIMEOUT', timeoutMs: 20, channel: 'q' });
    expect(expired).toHaveLength(1);
  });

  it('an already aborted signal expires at once, and the rejection its expiry causes stays handled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      let rejectWork!: (err: Error) => void;
      const work = new Promise<never>((_, reject) => (rejectWork = reject));
      const outcome = withDeadline(work, {
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
    const ac = new AbortController();
    let listeners = 0;
    const add = ac.signal.addEventListener.bind(ac.signal);
    const remove = ac.signal.removeEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((...args: Parameters<typeof add>) => (listeners++, add(...args))) as typeof add;
    ac.signal.removeEventListener = ((...args: Parameters<typeof remove>) => (listeners--, remove(...args))) as typeof remove;
    await withDeadline(Promise.resolve(1), { operation: 'op', timeoutMs: 1000, signal: ac.signal, what: 'the work' });
    await expect(withDeadline(Promise.reject(new Error('x')), { operation: 'op', timeoutMs: 1000, signal: ac.signal, what: 'the work' })).rejects.toThrow('x');
    expect(listeners).toBe(0);
  });
});
