// The promise plumbing every package shares, in one place: a deferred (optionally bounded by a
// deadline and an abort signal), a deadline around running work, a bounded wait that never
// rejects, the one way to listen for an abort, and a time limit that aborts a controller.
// Every timer here is unref'd and every listener is removed once it has done its job, so a
// long-lived client never grows listeners on a caller's signal.
import { KubemqError, TimeoutError } from '../errors/kubemq-error.js';

/** A promise with its settle functions; settles once (later calls are ignored). */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  /** Whether it has settled: resolved, rejected, or ended by its bound. */
  readonly settled: boolean;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

/**
 * What bounds a {@link deferred} or a {@link deadline}: a time limit, an abort signal, or both.
 * Ending by the bound rejects with a TimeoutError (`${what} ${late} within N ms`) or with a
 * KubemqError `CANCELLED` (`${what} was aborted`), both naming the operation and the channel.
 */
export interface DeadlineOptions {
  operation: string;
  /** The channel the errors name ('' or undefined: none). */
  channel?: string | undefined;
  /** Already validated; undefined sets no timer. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** The subject of the error texts (default: the operation). */
  what?: string;
  /** What the subject failed to do in time (default: 'did not complete'). */
  late?: string;
  /** Runs when the bound ends it, before the promise rejects (e.g. to forget an answer owed). */
  onExpire?: (err: KubemqError) => void;
}

/**
 * A promise with its settle functions. With `bound`, it also rejects when `bound.timeoutMs`
 * passes or `bound.signal` aborts (at once, `settled` on return, when the signal already has).
 */
export function deferred<T>(bound?: DeadlineOptions): Deferred<T> {
  const d = settleOnce<T>();
  if (bound) arm(d, bound);
  return d;
}

/**
 * `work`'s outcome, or the bound's error when its deadline passes or its signal aborts first.
 * The work is observed before the bound is armed, so work that the expiry itself ends (an
 * `onExpire` that cancels a stream rejects it) never rejects unhandled, an already aborted
 * signal included.
 */
export function deadline<T>(work: Promise<T>, bound: DeadlineOptions): Promise<T> {
  const d = settleOnce<T>();
  work.then(d.resolve, d.reject);
  arm(d, bound);
  return d.promise;
}

/** How a {@link within} wait ended. */
export type WaitOutcome = 'done' | 'timeout' | 'aborted';

/**
 * Waits for `promise` to settle (either way) at most `timeoutMs`, and no longer than until
 * `signal` aborts. Never rejects: it tells which came first.
 */
export function within(promise: Promise<unknown>, bound: { timeoutMs?: number | undefined; signal?: AbortSignal | undefined }): Promise<WaitOutcome> {
  if (bound.signal?.aborted) return Promise.resolve('aborted');
  return new Promise<WaitOutcome>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: WaitOutcome) => {
      clearTimeout(timer);
      stopListening();
      resolve(outcome);
    };
    const stopListening = onAbort(bound.signal, () => finish('aborted'));
    if (bound.timeoutMs !== undefined) {
      timer = setTimeout(() => finish('timeout'), bound.timeoutMs);
      timer.unref?.();
    }
    const done = () => finish('done');
    promise.then(done, done);
  });
}

/**
 * The one abort listener: runs `listener` once when `signal` aborts, at once when it already
 * has. Returns what removes it (a no-op once it ran, or without a signal).
 */
export function onAbort(signal: AbortSignal | undefined, listener: () => void): () => void {
  if (!signal) return noop;
  if (signal.aborted) {
    listener();
    return noop;
  }
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

/** Why a {@link timeLimit} aborted its controller (the controller's `signal.reason`). */
export type CutReason = 'timeout' | 'cancelled';

/**
 * Aborts `controller` with reason `'timeout'` once `timeoutMs` passes (at once for 0), or with
 * `'cancelled'` when `signal` aborts, whichever comes first; a controller already aborted keeps
 * its reason. Returns what disarms the timer and the listener. Several limits may share one
 * controller: the first to pass ends it.
 */
export function timeLimit(controller: AbortController, bound: { timeoutMs: number; signal?: AbortSignal | undefined }): () => void {
  const cut = (reason: CutReason) => () => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const stopListening = onAbort(bound.signal, cut('cancelled'));
  if (controller.signal.aborted) return stopListening;
  if (bound.timeoutMs <= 0) {
    cut('timeout')();
    return stopListening;
  }
  const timer = setTimeout(cut('timeout'), bound.timeoutMs);
  timer.unref?.();
  return () => {
    clearTimeout(timer);
    stopListening();
  };
}

const noop = (): void => undefined;

interface Settling<T> extends Deferred<T> {
  settled: boolean;
  /** Clears the bound's timer and listener; set by arm(). */
  disarm?: () => void;
}

function settleOnce<T>(): Settling<T> {
  let resolvePromise!: (value: T) => void;
  let rejectPromise!: (reason: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    resolvePromise = resolve;
    rejectPromise = reject;
  });
  const d: Settling<T> = {
    promise,
    settled: false,
    resolve(value) {
      if (d.settled) return;
      d.settled = true;
      d.disarm?.();
      resolvePromise(value);
    },
    reject(reason) {
      if (d.settled) return;
      d.settled = true;
      d.disarm?.();
      rejectPromise(reason);
    },
  };
  return d;
}

function arm<T>(d: Settling<T>, bound: DeadlineOptions): void {
  const { operation, timeoutMs, signal } = bound;
  const what = bound.what ?? operation;
  const named = bound.channel ? { channel: bound.channel } : {};
  const expire = (err: KubemqError) => {
    if (d.settled) return;
    d.disarm?.();
    d.disarm = undefined;
    bound.onExpire?.(err);
    d.reject(err);
  };
  const aborted = () => expire(new KubemqError({ code: 'CANCELLED', message: `${what} was aborted`, operation, ...named, cause: signal?.reason }));
  if (signal?.aborted) {
    aborted();
    return;
  }
  const stopListening = onAbort(signal, aborted);
  let timer: NodeJS.Timeout | undefined;
  if (timeoutMs !== undefined) {
    timer = setTimeout(
      () => expire(new TimeoutError({ message: `${what} ${bound.late ?? 'did not complete'} within ${timeoutMs} ms`, operation, ...named, timeoutMs })),
      timeoutMs,
    );
    timer.unref?.();
  }
  d.disarm = () => {
    clearTimeout(timer);
    stopListening();
  };
}
