import { TimeoutError, type KubemqError } from '../errors/kubemq-error.js';
import { describe, mapError, type ErrorContext } from '../errors/map-error.js';
import { BoundedBuffer } from '../recovery/bounded-buffer.js';
import { onAbort } from '../util/async.js';
import { monotonicNow, timerDelay } from '../util/monotonic.js';
import { abortError } from './call-errors.js';

/** A unary call waiting for the connection to be ready. */
interface Waiter {
  /** Starts the call, synchronously: release() starts every waiter before anything else runs. */
  resolve(): void;
  reject(err: KubemqError): void;
  /** The call's operation and channel, which its errors name. */
  ctx: ErrorContext;
}

/**
 * Where unary calls wait while the client is not ready: bounded by `maxPendingCalls` (one more
 * throws BUFFER_FULL, so nothing is dropped silently), FIFO, and each waiter keeps its own
 * deadline and AbortSignal.
 */
export class PendingCalls {
  readonly #waiters: BoundedBuffer<Waiter>;

  constructor(capacity: number) {
    this.#waiters = new BoundedBuffer(capacity);
  }

  /**
   * Runs `start` when release() runs, within release() itself, and settles as the call it starts;
   * rejects at the deadline (TimeoutError; ms on `monotonicNow()`), on abort (CANCELLED) or with
   * rejectAll()'s error. Throws BUFFER_FULL synchronously when full.
   */
  dispatch<T>(
    ctx: ErrorContext,
    deadline: number,
    signal: AbortSignal | undefined,
    state: () => { state: string; lastError: KubemqError | undefined },
    start: () => Promise<T>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let stopListening = (): void => undefined;
      const cleanup = () => {
        clearTimeout(timer);
        stopListening();
      };
      const waiter: Waiter = {
        resolve: () => {
          cleanup();
          // A start that throws fails its own call, never release() (the calls behind it still start).
          try {
            resolve(start());
          } catch (err) {
            reject(err);
          }
        },
        reject: (err) => {
          cleanup();
          reject(err);
        },
        ctx,
      };
      this.#waiters.push(waiter, ctx);
      const giveUp = (err: KubemqError) => {
        this.#waiters.remove(waiter);
        waiter.reject(err);
      };
      const timer = setTimeout(() => {
        // The last reconnect attempt's failure says why: a broker that is down, or one that
        // refuses this client (its token, its certificate) and will go on refusing it.
        const { state: now, lastError } = state();
        const why = lastError ? `; the last attempt failed with ${lastError.code}: ${lastError.message}` : '';
        giveUp(
          new TimeoutError({
            message: `${describe(ctx)} timed out after ${ctx.timeoutMs} ms waiting for the connection (state ${now}${why})`,
            operation: ctx.operation,
            channel: ctx.channel,
            timeoutMs: ctx.timeoutMs,
            sent: false,
            cause: lastError,
          }),
        );
      }, timerDelay(Math.max(0, deadline - monotonicNow())));
      stopListening = onAbort(signal, () => giveUp(mapError(abortError(), ctx)));
    });
  }

  /**
   * The connection is ready: every waiter's call starts, in order, before release() returns (so a
   * call made after it, say by a `ready` observer, cannot overtake them).
   */
  release(): void {
    for (let waiter = this.#waiters.shift(); waiter; waiter = this.#waiters.shift()) waiter.resolve();
  }

  /** Ends every waiter with `err`, or with the error `err` makes for its call. */
  rejectAll(err: KubemqError | ((ctx: ErrorContext) => KubemqError)): void {
    for (const waiter of this.#waiters.clear()) waiter.reject(typeof err === 'function' ? err(waiter.ctx) : err);
  }
}
