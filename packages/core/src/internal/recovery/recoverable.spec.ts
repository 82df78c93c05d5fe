import { BehaviorSubject, Observable, throwError } from 'rxjs';
import type { ConnectionState } from '../../client/connection-state.js';
import type { ClientInternals } from '../connection/client-internals.js';
import { KubemqError } from '../errors/kubemq-error.js';
import { recoverable, STREAM_STABLE_MS } from './recoverable.js';

/** Just enough of a client for recoverable(): a state, whenReady, a logger and the policy. */
function fakeClient(maxAttempts = Infinity) {
  const state = new BehaviorSubject<ConnectionState>('ready');
  const client = {
    get state() {
      return state.value;
    },
    get accepting() {
      return state.value !== 'closed';
    },
    state$: state.asObservable(),
    whenReady: () => (state.value === 'closed' ? Promise.reject(new KubemqError({ code: 'CLOSED', message: 'closed', operation: 'x' })) : Promise.resolve()),
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    options: { reconnect: { initialDelayMs: 1, maxDelayMs: 2, multiplier: 2, maxAttempts } },
  } as unknown as ClientInternals;
  return { client, state };
}

const broken = (retryable: boolean) => new KubemqError({ code: retryable ? 'UNAVAILABLE' : 'VALIDATION', message: 'broken', operation: 'op', retryable });

describe('recoverable (unit)', () => {
  it('gives up after maxAttempts consecutive breaks without a successful re-open', async () => {
    const { client } = fakeClient(3);
    let opens = 0;
    const err = await new Promise((resolve) =>
      recoverable(client, () => {
        opens++;
        return throwError(() => broken(true));
      }, { operation: 'op' }).subscribe({ error: resolve }),
    );
    expect(err).toMatchObject({ code: 'UNAVAILABLE' });
    expect(opens).toBe(4); // the first open and three re-opens
  });

  it('a successful re-open (ready()) resets the count and fires onRecover', async () => {
    const { client } = fakeClient(1);
    const recovered: number[] = [];
    let opens = 0;
    const values: number[] = [];
    await new Promise<void>((resolve, reject) =>
      recoverable(
        client,
        (attempt, ready) =>
          new Observable<number>((subscriber) => {
            opens++;
            if (attempt > 0) ready();
            if (attempt < 3) subscriber.error(broken(true));
            else {
              subscriber.next(attempt);
              subscriber.complete();
            }
          }),
        { operation: 'op', onRecover: (a) => recovered.push(a) },
      ).subscribe({ next: (v) => values.push(v), error: reject, complete: resolve }),
    );
    expect(opens).toBe(4);
    expect(recovered).toEqual([1, 2, 3]);
    expect(values).toEqual([3]);
  });

  it('a re-opened stream that stays open STREAM_STABLE_MS without a value counts as re-opened: a quiet subscription outlives maxAttempts breaks far apart', async () => {
    jest.useFakeTimers();
    try {
      const { client } = fakeClient(2);
      const recovered: number[] = [];
      const breakNow: Array<() => void> = [];
      let failure: unknown;
      const sub = recoverable(
        client,
        () => new Observable<number>((subscriber) => void breakNow.push(() => subscriber.error(broken(true)))),
        { operation: 'op', onRecover: (a) => recovered.push(a) },
      ).subscribe({ error: (err) => (failure = err) });
      for (let outage = 1; outage <= 5; outage++) {
        await jest.advanceTimersByTimeAsync(STREAM_STABLE_MS);
        breakNow.at(-1)?.();
        await jest.advanceTimersByTimeAsync(10); // the backoff, then the re-open
      }
      expect(failure).toBeUndefined();
      expect(breakNow).toHaveLength(6);
      expect(recovered).toEqual([1, 2, 3, 4]); // the fifth re-open is not yet STREAM_STABLE_MS old
      // Breaks in quick succession still run out of attempts.
      breakNow.at(-1)?.();
      await jest.advanceTimersByTimeAsync(10);
      breakNow.at(-1)?.();
      await jest.advanceTimersByTimeAsync(10);
      breakNow.at(-1)?.();
      expect(failure).toMatchObject({ code: 'UNAVAILABLE' });
      sub.unsubscribe();
    } finally {
      jest.useRealTimers();
    }
  });

  it('isRetryable overrides err.retryable', async () => {
    const { client } = fakeClient();
    let opens = 0;
    await new Promise<void>((resolve) =>
      recoverable(client, () => (++opens < 3 ? throwError(() => broken(false)) : new Observable<never>((s) => s.complete())), {
        operation: 'op',
        isRetryable: (e) => e.code === 'VALIDATION',
      }).subscribe({ complete: resolve }),
    );
    expect(opens).toBe(3);
  });

  it('completes when the client closes while it waits', async () => {
    const { client, state } = fakeClient();
    state.next('reconnecting');
    const done = new Promise<string>((resolve) =>
      recoverable(client, () => throwError(() => broken(true)), { operation: 'op' }).subscribe({ complete: () => resolve('complete'), error: () => resolve('error') }),
    );
    state.next('closed');
    await expect(done).resolves.toBe('complete');
  });

  it('fails with CLOSED when subscribed on a client already closed, as every other call does', async () => {
    const { client, state } = fakeClient();
    state.next('closed');
    const closed = new KubemqError({ code: 'CLOSED', message: 'op: the client is closed', operation: 'op' });
    const outcome = await new Promise<unknown>((resolve) =>
      recoverable(client, () => throwError(() => closed), { operation: 'op' }).subscribe({ complete: () => resolve('complete'), error: resolve }),
    );
    expect(outcome).toMatchObject({ code: 'CLOSED' });
  });
});
