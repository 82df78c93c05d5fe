import { Observable } from 'rxjs';
import type { KubemqError } from '@kubemq/core';
import type { ClientInternals, MethodDescriptor } from '@kubemq/core/internal';
import { STREAM_CONTEXT } from './timeouts.js';

/**
 * A cold Observable over one server-streaming call: subscribing waits until the client is ready and
 * opens the call; unsubscribing cancels it. Errors arrive already mapped to KubemqError.
 */
export function serverStream$<Req, Res, T>(
  internals: ClientInternals,
  method: MethodDescriptor<Req, Res>,
  request: Req,
  ctx: { operation: string; channel?: string },
  map: (message: Res) => T,
): Observable<T> {
  return new Observable<T>((subscriber) => {
    let cancelled = false;
    let cancel: (() => void) | undefined;
    const abort = new AbortController();
    internals.whenReady(abort.signal).then(
      () => {
        if (cancelled) return;
        const call = internals.serverStream(
          method,
          request,
          {
            next: (message) => subscriber.next(map(message)),
            error: (err) => subscriber.error(err),
            complete: () => subscriber.complete(),
          },
          { ...ctx, ...STREAM_CONTEXT },
        );
        cancel = () => call.cancel();
      },
      (err: unknown) => {
        if (!cancelled) subscriber.error(err);
      },
    );
    return () => {
      cancelled = true;
      abort.abort();
      cancel?.();
    };
  });
}

/**
 * Whether a broken stream should be re-opened. Besides retryable errors: CANCELLED, which reaches a
 * stream's observer only when the other side (or the transport, e.g. a broker shutting down)
 * cancelled it; our own cancel() is silent.
 */
export function isStreamBreakRetryable(err: KubemqError): boolean {
  return err.retryable || err.code === 'CANCELLED';
}
