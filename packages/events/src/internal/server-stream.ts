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

/** grpc-js texts for a call the connection dropped under it, which it reports as INTERNAL. */
const TRANSPORT_DROP = /RST_STREAM|Call ended without gRPC status|Connection dropped|Stream refused/i;

/**
 * Whether a broken stream should be re-opened. Besides retryable errors:
 * - CANCELLED, which reaches a stream's observer only when the other side (e.g. a broker shutting
 *   down) cancelled it; our own cancel() is silent;
 * - INTERNAL without a broker error text but with grpc-js's text for a dropped call (a broker process
 *   that exits mid-call resets its streams: `Received RST_STREAM with code 0`).
 * A broker's own INTERNAL errors (`Error NNN: …`, `stan: …`) keep their classification.
 */
export function isStreamBreakRetryable(err: KubemqError): boolean {
  if (err.retryable || err.code === 'CANCELLED') return true;
  return err.code === 'INTERNAL' && err.brokerCode === undefined && TRANSPORT_DROP.test(err.message);
}
