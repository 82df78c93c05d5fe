// The per-send bookkeeping of the SendEventsStream writers in @kubemq/events and @kubemq/events-store:
// one settle-once entry per send, with its deadline and abort signal.
import { KubemqError, TimeoutError } from '../errors/kubemq-error.js';
import type { Deferred } from './deferred.js';

/** One send waiting for the broker's answer; settles once, then clears its timer and listener. */
export interface SendPending<T> {
  readonly id: string;
  /** '' for a send with no channel (a flush marker): its errors then name none. */
  readonly channel: string;
  done: boolean;
  resolve(value: T): void;
  reject(err: KubemqError): void;
}

export interface SendPendingOptions {
  operation: string;
  /** Already validated (the caller's `timeoutMs`, else the client's default). */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * A settle-once entry for `result`: rejects with code CANCELLED when `signal` aborts (at once when
 * it already has, with `done` set on return) and with a TimeoutError after `timeoutMs`.
 */
export function sendPending<T>(id: string, channel: string, result: Deferred<T>, options: SendPendingOptions): SendPending<T> {
  const { operation, timeoutMs, signal } = options;
  const named = channel !== '' ? { channel } : {};
  const timer: { id?: NodeJS.Timeout } = {};
  const onAbort = () =>
    settle.reject(new KubemqError({ code: 'CANCELLED', message: `${operation} was aborted`, operation, ...named, cause: signal?.reason }));
  const cleanup = () => {
    clearTimeout(timer.id);
    signal?.removeEventListener('abort', onAbort);
  };
  const settle: SendPending<T> = {
    id,
    channel,
    done: false,
    resolve: (value) => {
      if (settle.done) return;
      settle.done = true;
      cleanup();
      result.resolve(value);
    },
    reject: (err) => {
      if (settle.done) return;
      settle.done = true;
      cleanup();
      result.reject(err);
    },
  };
  if (signal?.aborted) {
    onAbort();
    return settle;
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  timer.id = setTimeout(() => {
    settle.reject(
      new TimeoutError({ message: `${operation} got no answer from the broker within ${timeoutMs} ms`, operation, ...named, timeoutMs }),
    );
  }, timeoutMs);
  timer.id.unref?.();
  return settle;
}

/** Waits for `promise` at most `ms` (the timer does not hold the process open). */
export async function within(promise: Promise<unknown>, ms: number): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
    timer.unref?.();
  });
  const outcome = await Promise.race([promise.then(() => 'done' as const), timeout]);
  clearTimeout(timer);
  return outcome;
}
