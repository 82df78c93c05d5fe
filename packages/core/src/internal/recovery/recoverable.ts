import type { Observable, Subscription } from 'rxjs';
import { observable } from '../rx.js';
import type { ClientInternals } from '../connection/client-internals.js';
import { KubemqError } from '../errors/kubemq-error.js';
import { mapError } from '../errors/map-error.js';
import { computeBackoff } from './backoff.js';
import { sleep } from './sleep.js';

export interface RecoverableOptions {
  operation: string;
  channel?: string;
  /** A normal end of the inner stream is a break too (endless subscriptions). */
  completeIsBreak?: boolean;
  /** Called after each successful re-open (attempt ≥ 1): its first value or its `ready()` call. */
  onRecover?: (attempt: number) => void;
  /** Which errors re-open. Default: `err.retryable`. */
  isRetryable?: (err: KubemqError) => boolean;
  /**
   * Whether a subscription made on a client that is already closed fails with CLOSED (default)
   * rather than completing. False for a re-subscription the SDK makes itself (a paused loop that
   * resumes), which the close ended as any other.
   */
  closedIsError?: boolean;
}

/**
 * A stream that stays open this long without an error counts as re-opened, values or not: the
 * broker refuses a subscription at once, and a quiet channel may send nothing for hours. Without
 * it, a quiet subscription would spend one of `maxAttempts` on every broker restart and end
 * after that many, although each re-open worked.
 */
export const STREAM_STABLE_MS = 5_000;

/**
 * The stream-recovery primitive. Subscribing calls `open(0, ready)` and mirrors its values. When
 * the inner stream errors with a retryable KubemqError (or completes, with `completeIsBreak`), it
 * waits until the client is ready again, plus a backoff delay when the connection was not the
 * problem, and calls `open(attempt + 1, ready)`. Non-retryable errors end the outer Observable with
 * that error; client close completes it (one subscribed after the close fails with CLOSED).
 * Unsubscribing cancels the current inner stream.
 *
 * `ready()` lets `open` say the stream is established before any value arrives.
 */
export function recoverable<T>(
  client: ClientInternals,
  open: (attempt: number, ready: () => void) => Observable<T>,
  options: RecoverableOptions,
): Observable<T> {
  const ctx = { operation: options.operation, channel: options.channel };
  const isRetryable = options.isRetryable ?? ((err: KubemqError) => err.retryable);
  const policy = client.options.reconnect;

  /** The refusal of a subscription made on a closed client, named as this subscription. */
  const closedError = (err: KubemqError): KubemqError =>
    new KubemqError({ ...ctx, code: err.code, message: err.code === 'CLOSED' ? `${options.operation}: the client is closed` : err.message, cause: err });

  return observable<T>((subscriber) => {
    // Subscribed on a client already closed or closing: that is an error (CLOSED, or what ended the
    // client), as for every other call, not the quiet end of a subscription the close ended.
    const closedAtStart = options.closedIsError !== false && (client.state === 'closed' || !client.accepting);
    const stop = new AbortController();
    let inner: Subscription | undefined;
    let attempt = 0;
    /** Consecutive breaks without a successful re-open: drives the backoff and the attempt limit. */
    let breaks = 0;
    let stopTimer = (): void => undefined;

    const start = () => {
      const current = attempt;
      let established = false;
      const ready = () => {
        if (established || stop.signal.aborted) return;
        established = true;
        breaks = 0;
        if (current > 0) options.onRecover?.(current);
      };
      const stable = setTimeout(ready, STREAM_STABLE_MS);
      stable.unref?.();
      stopTimer = () => clearTimeout(stable);
      inner = open(current, ready).subscribe({
        next: (value) => {
          ready();
          subscriber.next(value);
        },
        error: (err: unknown) => {
          clearTimeout(stable);
          onBreak(mapError(err, ctx));
        },
        complete: () => {
          clearTimeout(stable);
          if (!options.completeIsBreak) return subscriber.complete();
          onBreak(new KubemqError({ ...ctx, code: 'UNAVAILABLE', message: `${options.operation}: the server ended the stream`, retryable: true }));
        },
      });
    };

    const onBreak = (err: KubemqError) => {
      if (stop.signal.aborted) return;
      // The client closed (its close() ends the streams nobody drained with CLOSED).
      if (client.state === 'closed' || err.code === 'CLOSED') return closedAtStart ? subscriber.error(closedError(err)) : subscriber.complete();
      if (!isRetryable(err) || breaks >= policy.maxAttempts) return subscriber.error(err);
      // A lost connection is waited out by whenReady(); other breaks back off, so a stream the
      // broker keeps refusing is not re-opened in a tight loop.
      const delay = client.state === 'ready' ? computeBackoff(policy, breaks) : 0;
      breaks++;
      attempt++;
      client.logger.info('stream broken; re-opening', { operation: options.operation, channel: options.channel, attempt, code: err.code });
      sleep(delay, stop.signal)
        .then(() => client.whenReady(stop.signal))
        .then(
          () => {
            if (stop.signal.aborted) return;
            client.telemetry?.retried(options.operation, 'stream_reopen');
            start();
          },
          (waitError: unknown) => {
            if (stop.signal.aborted) return;
            if (client.state === 'closed' && KubemqError.isKubemqError(waitError) && waitError.code === 'CLOSED') subscriber.complete();
            else subscriber.error(mapError(waitError, ctx));
          },
        );
    };

    start();
    return () => {
      stop.abort();
      stopTimer();
      inner?.unsubscribe();
    };
  });
}
