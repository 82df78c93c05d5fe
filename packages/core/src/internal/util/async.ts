// The promise plumbing every package shares, in one place: a deferred (optionally bounded by a
// deadline and an abort signal), a deadline around running work, a bounded wait that never
// rejects, the one way to listen for an abort, and a time limit that aborts a controller.
// Every timer here is unref'd and every listener is removed once it has done its job, so a
// long-lived client never grows listeners on a caller's signal.
import { KubemqError, TimeoutError } from '../errors/kubemq-error.js';
import { timerDelay } from './monotonic.js';

/** The words of a bound's errors: `${what ?? operation} ${late ?? 'did not complete'} within N ms`, `${what} was aborted`. */
export interface DeadlineWording {
  operation: string;
  /** The subject of the error texts (default: the operation). */
  what?: string | undefined;
  /** What the subject failed to do in time (default: 'did not complete'). */
  late?: string | undefined;
  /** For a request: whether it had left the client when its time ran out (TimeoutError.sent). */
  sent?: boolean | undefined;
}

/**
 * What bounds a {@link deferred} or a {@link deadline}: a time limit, an abort signal, or both.
 * Ending by the bound rejects with a TimeoutError or with a KubemqError `CANCELLED`, both naming
 * the operation and the channel.
 */
export interface DeadlineOptions extends DeadlineWording {
  /** The channel the errors name ('' or undefined: none). */
  channel?: string | undefined;
  /** Already validated; undefined sets no timer. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Runs when the bound ends it, before the promise rejects (e.g. to forget an answer owed). */
  onExpire?: ((err: KubemqError) => void) | undefined;
}

/**
 * A promise with its settle functions; settles once (later calls are ignored). Once `bound()`,
 * it also rejects when its time limit passes or its signal aborts, and clears its timer and its
 * listener whichever way it settles. A class, so that a long-lived stream's per-send records
 * extend it instead of allocating closures for every send.
 */
export class Deferred<T> {
  readonly promise: Promise<T>;
  /** Whether it has settled: resolved, rejected, or ended by its bound. */
  settled = false;
  /** Runs when the bound ends it, before the promise rejects. */
  onExpire: ((err: KubemqError) => void) | undefined = undefined;
  #settleResolve!: (value: T) => void;
  #settleReject!: (reason: unknown) => void;
  #timer: NodeJS.Timeout | undefined = undefined;
  #stopListening: (() => void) | undefined = undefined;
  #wording: DeadlineWording | undefined = undefined;
  #channel: string | undefined = undefined;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.#settleResolve = resolve;
      this.#settleReject = reject;
    });
  }

  resolve(value: T): void {
    if (this.settled) return;
    this.settled = true;
    this.#disarm();
    this.#settleResolve(value);
  }

  reject(reason: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.#disarm();
    this.#settleReject(reason);
  }

  /**
   * Rejects it with a TimeoutError once `timeoutMs` passes (undefined: no timer), or with
   * `CANCELLED` when `signal` aborts (at once, `settled` on return, when it already has).
   */
  bound(wording: DeadlineWording, timeoutMs: number | undefined, signal: AbortSignal | undefined, channel?: string): this {
    this.#wording = wording;
    if (channel) this.#channel = channel;
    if (signal?.aborted) {
      this.expire(this.#cancelledError(signal));
      return this;
    }
    if (signal) this.#stopListening = onAbort(signal, () => this.expire(this.#cancelledError(signal)));
    if (timeoutMs !== undefined) {
      this.#timer = setTimeout(timedOut, timerDelay(timeoutMs), this, timeoutMs);
      this.#timer.unref?.();
    }
    return this;
  }

  /** The bound ended it: `expired()` hears of it first, then the promise rejects. */
  expire(err: KubemqError): void {
    if (this.settled) return;
    this.#disarm();
    this.expired(err);
    this.reject(err);
  }

  /** Runs when the bound ends it, before the promise rejects (default: `onExpire`). */
  protected expired(err: KubemqError): void {
    this.onExpire?.(err);
  }

  /** The TimeoutError of a bound whose `timeoutMs` passed. */
  timeoutError(timeoutMs: number): KubemqError {
    const { operation, what = operation, late = 'did not complete' } = this.#wording as DeadlineWording;
    const message = this.explainTimeout(`${what} ${late} within ${timeoutMs} ms`);
    const sent = this.timeoutSent();
    return new TimeoutError({ message, operation, channel: this.#channel, timeoutMs, sent });
  }

  /** A subclass may say more about what a timeout means for this piece of work. */
  protected explainTimeout(message: string): string {
    return message;
  }

  /** For a request: whether it had left the client when its time ran out (TimeoutError.sent). */
  protected timeoutSent(): boolean | undefined {
    return this.#wording?.sent;
  }

  #cancelledError(signal: AbortSignal): KubemqError {
    const { operation, what = operation } = this.#wording as DeadlineWording;
    return new KubemqError({ code: 'CANCELLED', message: `${what} was aborted`, operation, channel: this.#channel, cause: signal.reason });
  }

  #disarm(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#stopListening) {
      this.#stopListening();
      this.#stopListening = undefined;
    }
  }
}

/** A bound's timer: one function for all of them, so arming one allocates no closure. */
function timedOut(d: Pick<Deferred<unknown>, 'expire' | 'timeoutError'>, timeoutMs: number): void {
  d.expire(d.timeoutError(timeoutMs));
}

/** A {@link Deferred}; with `bound`, ended by its time limit or its signal (see {@link DeadlineOptions}). */
export function deferred<T>(bound?: DeadlineOptions): Deferred<T> {
  const d = new Deferred<T>();
  if (bound) {
    d.onExpire = bound.onExpire;
    d.bound(bound, bound.timeoutMs, bound.signal, bound.channel);
  }
  return d;
}

/**
 * `work`'s outcome, or the bound's error when its deadline passes or its signal aborts first.
 * The work is observed before the bound is armed, so work that the expiry itself ends (an
 * `onExpire` that cancels a stream rejects it) never rejects unhandled, an already aborted
 * signal included.
 */
export function deadline<T>(work: Promise<T>, bound: DeadlineOptions): Promise<T> {
  const d = new Deferred<T>();
  d.onExpire = bound.onExpire;
  work.then(
    (value) => d.resolve(value),
    (err: unknown) => d.reject(err),
  );
  d.bound(bound, bound.timeoutMs, bound.signal, bound.channel);
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
      timer = setTimeout(() => finish('timeout'), timerDelay(bound.timeoutMs));
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
  const timer = setTimeout(cut('timeout'), timerDelay(bound.timeoutMs));
  timer.unref?.();
  return () => {
    clearTimeout(timer);
    stopListening();
  };
}

const noop = (): void => undefined;

/**
 * Runs an application's callback (an `onError`, say) whose failure must not reach the SDK: a throw
 * is dropped, and so is the rejection of a promise it returns, which would otherwise be unhandled
 * and end the process.
 */
export function callQuietly(callback: () => unknown): void {
  try {
    const result = callback() as PromiseLike<unknown> | undefined;
    if (typeof result?.then === 'function') result.then(undefined, () => undefined);
  } catch {
    // the application's own failure: the SDK goes on
  }
}
