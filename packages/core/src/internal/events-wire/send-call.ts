import { KubemqError } from '../errors/kubemq-error.js';
import type { BidiCall, ClientInternals } from '../connection/client-internals.js';
import type { MethodDescriptor } from '../transport/method-descriptor.js';
import { deferred, type Deferred } from './deferred.js';

/** What a send-stream writer does with one opened call. */
export interface SendCallHandlers<Req, Res> {
  operation: string;
  next(message: Res): void;
  /** Whether `call` is still the writer's current one: a replaced call's end is ignored. */
  isCurrent(call: BidiCall<Req> | undefined): boolean;
  /** While closing, the server's end of the call is expected, not a break. */
  closing(): boolean;
  /** The current call broke: its error, or a retryable UNAVAILABLE when the broker ended it. */
  onBreak(err: KubemqError): void;
}

/**
 * Opens one bidi call of a long-lived send stream (e.g. `SendEventsStream`), with no deadline.
 * `ended` resolves when the call is over either way (close() waits for it after half-closing).
 * The method descriptor comes from the caller, so each pattern's bundle holds only its own paths.
 */
export function openSendCall<Req, Res>(
  internals: ClientInternals,
  method: MethodDescriptor<Req, Res>,
  handlers: SendCallHandlers<Req, Res>,
): { call: BidiCall<Req>; ended: Deferred<void> } {
  const { operation } = handlers;
  const ended = deferred<void>();
  const opened: { call?: BidiCall<Req> } = {};
  const call = (opened.call = internals.bidiStream(
    method,
    {
      next: (message) => handlers.next(message),
      error: (err) => {
        ended.resolve();
        if (handlers.isCurrent(opened.call)) handlers.onBreak(err);
      },
      complete: () => {
        ended.resolve();
        if (handlers.isCurrent(opened.call) && !handlers.closing()) {
          handlers.onBreak(
            new KubemqError({ code: 'UNAVAILABLE', message: `${operation}: the broker ended the send stream`, operation, retryable: true }),
          );
        }
      },
    },
    { operation },
  ));
  return { call, ended };
}
