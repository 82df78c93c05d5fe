import { KubemqError, TimeoutError } from '@kubemq/core';

export interface DeadlineOptions {
  operation: string;
  channel?: string;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /** What timed out, for the error text. */
  what: string;
  /** Runs when the deadline passes or the signal aborts, before the promise rejects. */
  onExpire?: (err: KubemqError) => void;
}

/**
 * Waits for `work` at most `timeoutMs`, or until `signal` aborts. Every timer and listener it sets
 * is removed whichever way it ends (a long-lived consumer must not grow listeners).
 */
export function withDeadline<T>(work: Promise<T>, opts: DeadlineOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const expire = (err: KubemqError): void => {
      cleanup();
      opts.onExpire?.(err);
      reject(err);
    };
    const timer = setTimeout(
      () =>
        expire(
          new TimeoutError({
            operation: opts.operation,
            ...(opts.channel !== undefined && { channel: opts.channel }),
            timeoutMs: opts.timeoutMs,
            message: `${opts.what} did not complete within ${opts.timeoutMs} ms`,
          }),
        ),
      opts.timeoutMs,
    );
    const onAbort = (): void =>
      expire(
        new KubemqError({
          code: 'CANCELLED',
          operation: opts.operation,
          ...(opts.channel !== undefined && { channel: opts.channel }),
          message: `${opts.what} was aborted`,
          cause: opts.signal?.reason,
        }),
      );
    const cleanup = (): void => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    // Observed first, so that work which the expiry ends (a cancelled lane rejects it) never
    // rejects unhandled, an already aborted signal included.
    work.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (err: unknown) => {
        cleanup();
        reject(err);
      },
    );
    if (opts.signal?.aborted) {
      onAbort();
      return;
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
