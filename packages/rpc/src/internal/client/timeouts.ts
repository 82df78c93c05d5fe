import { KubemqError, TimeoutError } from '@kubemq/core';

/**
 * A request that timed out, whichever side noticed first (the broker's `Error 301` or the gRPC
 * deadline), becomes one TimeoutError carrying the request's own `timeoutMs`, with `sent: true`:
 * its responder may have run it. One that timed out before it was `sent` (the client was
 * reconnecting) fails as every unary call does: core's TimeoutError, `sent: false`, whose `cause`
 * is the last reconnect attempt's failure. Other errors pass.
 */
export function toRequestError(err: unknown, ctx: { operation: string; channel: string; timeoutMs: number; noun: string }, sent = true): unknown {
  if (!KubemqError.isKubemqError(err) || err.code !== 'TIMEOUT') return err;
  if (!sent) {
    if ((err as TimeoutError).sent === false) return err;
    // The connection came back with none of the timeout left (onDispatch refused to send it).
    return new TimeoutError({
      message: `${ctx.noun} on channel "${ctx.channel}" was not sent within ${ctx.timeoutMs} ms: ${err.message}`,
      operation: ctx.operation,
      channel: ctx.channel,
      timeoutMs: ctx.timeoutMs,
      sent: false,
    });
  }
  return new TimeoutError({
    message: `${ctx.noun} on channel "${ctx.channel}" got no response within ${ctx.timeoutMs} ms (no responder, or a slow one)`,
    operation: ctx.operation,
    channel: ctx.channel,
    timeoutMs: ctx.timeoutMs,
    retryable: true,
    sent: true,
    ...(err.brokerCode === undefined ? {} : { brokerCode: err.brokerCode }),
    ...(err.grpcStatus === undefined ? {} : { grpcStatus: err.grpcStatus }),
    cause: err,
  });
}
