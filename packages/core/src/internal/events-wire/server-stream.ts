import type { Observable } from 'rxjs';
import { observable } from '../rx.js';
import type { ClientInternals } from '../connection/client-internals.js';
import type { MethodDescriptor } from '../transport/method-descriptor.js';

/**
 * A cold Observable over one server-streaming call (e.g. `SubscribeToEvents`): subscribing waits
 * until the client is ready and opens the call; unsubscribing cancels it. Errors arrive already
 * mapped to KubemqError. No deadline: a subscription is long-lived (core sets none unless given).
 * The method descriptor comes from the caller, so each pattern's bundle holds only its own paths.
 */
export function serverStream$<Req, Res, T>(
  internals: ClientInternals,
  method: MethodDescriptor<Req, Res>,
  request: Req,
  ctx: { operation: string; channel?: string },
  map: (message: Res) => T,
): Observable<T> {
  return observable<T>((subscriber) => {
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
          { ...ctx },
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
