import { Observable } from 'rxjs';
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
