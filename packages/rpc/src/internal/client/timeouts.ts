import { KubemqError, TimeoutError } from '@kubemq/core';

/**
 * The gRPC deadline of a `SendRequest` exceeds the request's own timeout, so the broker's
 * `Error 301` (its answer to "nobody replied in time") arrives before the client gives up.
 */
export function requestDeadlineMs(timeoutMs: number): number {
  return timeoutMs + Math.max(1_000, Math.ceil(timeoutMs / 10));
}

/**
 * A request that timed out, whichever side noticed first (the broker's `Error 301` or the gRPC
 * deadline), becomes one TimeoutError carrying the request's own `timeoutMs`. One that timed out
 * before it was `sent` (the client was reconnecting) says so, and why: it is safe to send again.
 * Other errors pass.
 */
export function toRequestError(err: unknown, ctx: { operation: string; channel: string; timeoutMs: number; noun: string }, sent = true): unknown {
  if (!KubemqError.isKubemqError(err) || err.code !== 'TIMEOUT') return err;
  return new TimeoutError({
    message: sent
      ? `${ctx.noun} on channel "${ctx.channel}" got no response within ${ctx.timeoutMs} ms (no responder, or a slow one)`
      : `${ctx.noun} on channel "${ctx.channel}" was not sent within ${ctx.timeoutMs} ms: ${err.message}`,
    operation: ctx.operation,
    channel: ctx.channel,
    timeoutMs: ctx.timeoutMs,
    retryable: true,
    ...(err.brokerCode === undefined ? {} : { brokerCode: err.brokerCode }),
    ...(err.grpcStatus === undefined ? {} : { grpcStatus: err.grpcStatus }),
    cause: err,
  });
}
