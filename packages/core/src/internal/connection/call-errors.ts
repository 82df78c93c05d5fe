import type { CallContext } from './client-internals.js';
import type { KubemqError } from '../errors/kubemq-error.js';
import { mapError, type ErrorContext } from '../errors/map-error.js';

/**
 * mapError, told the facts only the caller knows: whether it asked for a cancel, and (unary calls)
 * that the request was handed to gRPC. Our own cancel() of a stream is silent, so a CANCELLED
 * status reaching here without an aborted signal came from the other side (a broker shutting down
 * cancels its calls): a retryable loss.
 */
export function callError(raw: unknown, ctx: ErrorContext, signal: AbortSignal | undefined, sent?: boolean): KubemqError {
  return mapError(raw, ctx, { cancelRequested: signal?.aborted === true, sent });
}

export function errorContext(ctx: CallContext, timeoutMs: number | undefined): ErrorContext {
  return { operation: ctx.operation, channel: ctx.channel, timeoutMs };
}

export function abortError(): Error {
  return Object.assign(new Error('aborted'), { name: 'AbortError' });
}

