import type { CallContext } from './client-internals.js';
import type { KubemqError } from '../errors/kubemq-error.js';
import { GrpcStatus } from '../errors/grpc-status.js';
import { createError, describe, mapError, type ErrorContext } from '../errors/map-error.js';

/**
 * mapError, plus one fact only the caller knows: a CANCELLED status nobody here asked for came
 * from the other side (a broker shutting down cancels its calls), so it is a retryable loss.
 */
export function callError(raw: unknown, ctx: ErrorContext, signal: AbortSignal | undefined): KubemqError {
  const err = mapError(raw, ctx);
  if (err.code !== 'CANCELLED' || err.grpcStatus !== GrpcStatus.CANCELLED || signal?.aborted) return err;
  const details = (raw as { details?: string }).details ?? err.message;
  return createError({ code: 'UNAVAILABLE', retryable: true }, `${describe(ctx)} failed: the broker cancelled the call (${details})`, ctx, {
    cause: raw,
    grpcStatus: GrpcStatus.CANCELLED,
  });
}

export function errorContext(ctx: CallContext, timeoutMs: number | undefined): ErrorContext {
  return {
    operation: ctx.operation,
    ...(ctx.channel !== undefined && { channel: ctx.channel }),
    ...(timeoutMs !== undefined && { timeoutMs }),
  };
}

export function abortError(): Error {
  return Object.assign(new Error('aborted'), { name: 'AbortError' });
}

