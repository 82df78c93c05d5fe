import { classifyBrokerText, type BrokerErrorClass } from './broker-errors.js';
import type { ErrorCode } from './error-codes.js';
import { errorText } from './error-text.js';
import * as GrpcStatus from './grpc-status.js';
import {
  AuthenticationError,
  ConnectionError,
  KubemqError,
  TimeoutError,
  ValidationError,
  type KubemqErrorOptions,
} from './kubemq-error.js';

/** Where an error happened: the SDK operation and, when there is one, the channel. */
export interface ErrorContext {
  operation: string;
  channel?: string;
  /** The deadline that applied, for timeouts. */
  timeoutMs?: number;
}

/** The shape of a failed grpc-js call (`ServiceError`), checked structurally. */
interface StatusLike {
  code: number;
  details?: string;
  message?: string;
}

/**
 * Statuses not decided by a broker text: the code of each (any other status is UNKNOWN), and the
 * ones worth a retry. Strings and numbers rather than an object per status: the table is in every
 * app's bundle.
 */
const STATUS_CODES: Readonly<Partial<Record<number, ErrorCode>>> = {
  [GrpcStatus.CANCELLED]: 'CANCELLED',
  [GrpcStatus.UNKNOWN]: 'UNKNOWN',
  [GrpcStatus.INVALID_ARGUMENT]: 'VALIDATION',
  [GrpcStatus.DEADLINE_EXCEEDED]: 'TIMEOUT',
  [GrpcStatus.NOT_FOUND]: 'NOT_FOUND',
  [GrpcStatus.ALREADY_EXISTS]: 'BROKER',
  [GrpcStatus.PERMISSION_DENIED]: 'PERMISSION_DENIED',
  [GrpcStatus.RESOURCE_EXHAUSTED]: 'RESOURCE_EXHAUSTED',
  [GrpcStatus.FAILED_PRECONDITION]: 'BROKER',
  [GrpcStatus.ABORTED]: 'BROKER',
  [GrpcStatus.OUT_OF_RANGE]: 'VALIDATION',
  [GrpcStatus.UNIMPLEMENTED]: 'UNIMPLEMENTED',
  [GrpcStatus.INTERNAL]: 'INTERNAL',
  [GrpcStatus.UNAVAILABLE]: 'UNAVAILABLE',
  [GrpcStatus.DATA_LOSS]: 'INTERNAL',
  [GrpcStatus.UNAUTHENTICATED]: 'AUTHENTICATION',
};
// A connection closed for excess pings ends its streams with RESOURCE_EXHAUSTED; see below for size.
const ACCESS_STATUSES: readonly number[] = [GrpcStatus.UNAUTHENTICATED, GrpcStatus.PERMISSION_DENIED];
const RETRYABLE_STATUSES: readonly number[] = [GrpcStatus.DEADLINE_EXCEEDED, GrpcStatus.RESOURCE_EXHAUSTED, GrpcStatus.ABORTED, GrpcStatus.UNAVAILABLE];

/** A retryable connection loss (code UNAVAILABLE). */
export const CONNECTION_LOST: Omit<BrokerErrorClass, 'brokerCode'> = { code: 'UNAVAILABLE', retryable: true };

// Not a bare 'TLS': "socket disconnected before secure TLS connection was established" is a plain drop.
const TLS_FAILURE = /certificate|SSL routines|SSL alert|handshake failure|self[- ]signed|unable to verify/i;
// grpc-js: `Attempted to send message with a size larger than N`, `Received message larger than max (…)`,
// `… decompresses to a size larger than N`; grpc-go servers: `… larger than max (…)`.
const MESSAGE_TOO_LARGE = /size larger than|larger than max|message too large|exceeds maximum/i;
// The receiving side's refusal, with its limit: grpc-go `grpc: received message larger than max
// (N vs. LIMIT)`, grpc-js `Received message larger than max (N vs LIMIT)`. grpc-js says the same
// of a response over the client's own limit, which is never below itself (see StreamSender).
const RECEIVED_TOO_LARGE = /received message larger than max \(\d+ vs\.? (\d+)\)/i;
/**
 * grpc-js's INTERNAL texts for a call whose HTTP/2 stream the peer reset or closed without a gRPC
 * status: a broker stopping (gracefully or killed) ends its streams this way, e.g.
 * `Received RST_STREAM with code 0 (Call ended without gRPC status)`. A connection loss, not a
 * broker failure; the broker's own INTERNAL errors carry an `Error NNN:` or stan text instead.
 */
const STREAM_DROP = /Received RST_STREAM|Call ended without gRPC status|Connection dropped|Stream refused/i;

/** What only the caller of a gRPC call knows about how it ended. */
export interface CallOutcome {
  /** The caller asked for the cancel (its signal aborted, or it cancelled the call). */
  cancelRequested: boolean;
  /** A unary request handed to gRPC: a timeout says it was sent (TimeoutError.sent). */
  sent?: boolean;
}

/**
 * The one mapper from any failure to a `KubemqError`: gRPC statuses, the broker's
 * `Error NNN: …` texts (docs/broker-behaviour.md §3, §5), aborts, and anything else (as UNKNOWN with a cause).
 * A KubemqError passes through unchanged.
 *
 * Transport-level ends of a call are a retryable connection loss (code UNAVAILABLE): grpc-js's
 * INTERNAL for a reset stream or one that ended without a gRPC status, and, when `call` says the
 * caller did not ask for it, a CANCELLED status (a broker shutting down cancels its calls).
 */
export function mapError(err: unknown, ctx: ErrorContext, call?: CallOutcome): KubemqError {
  if (KubemqError.isKubemqError(err)) return err;
  if (isStatus(err)) return fromStatus(err, ctx, call);
  if (isAbort(err)) {
    return createError({ code: 'CANCELLED', retryable: false }, `${describe(ctx)} was aborted`, ctx, { cause: err });
  }
  return createError({ code: 'UNKNOWN', retryable: false }, `${describe(ctx)} failed: ${errorText(err)}`, ctx, { cause: err });
}

/**
 * The size limit, in bytes, of the side that refused a message as too large, when `err` says so
 * (RESOURCE_EXHAUSTED with the limit in its text); undefined for any other error.
 */
export function refusedSizeLimit(err: KubemqError): number | undefined {
  if (err.code !== 'RESOURCE_EXHAUSTED') return undefined;
  const match = RECEIVED_TOO_LARGE.exec(err.message);
  return match ? Number(match[1]) : undefined;
}

/**
 * A KubemqError for an error text the broker put in a payload (`Result.Error`, `IsError` + `Error`,
 * `Response.Error`) with gRPC status OK. Unrecognised texts become code `BROKER`, not retryable.
 */
export function brokerError(text: string, ctx: ErrorContext): KubemqError {
  const cls = classifyBrokerText(text) ?? { code: 'BROKER', retryable: false };
  return createError(cls, `${describe(ctx)} failed: ${text}`, ctx, {});
}

function fromStatus(err: StatusLike, ctx: ErrorContext, call: CallOutcome | undefined): KubemqError {
  const details = err.details || err.message || `gRPC status ${err.code}`;
  const extras = { cause: err, grpcStatus: err.code, sent: call?.sent };
  // An access refusal is one whatever its text: a server that checks tokens answers
  // UNAUTHENTICATED with `Error 421: …`, which must still reach the token refresh as such.
  const fromText = ACCESS_STATUSES.includes(err.code) ? undefined : classifyBrokerText(details);
  if (fromText) return createError(fromText, `${describe(ctx)} failed: ${details}`, ctx, extras);
  if (err.code === GrpcStatus.CANCELLED && call !== undefined && !call.cancelRequested) {
    return createError(CONNECTION_LOST, `${describe(ctx)} failed: the broker cancelled the call (${details})`, ctx, extras);
  }
  if (err.code === GrpcStatus.INTERNAL && STREAM_DROP.test(details)) {
    return createError(CONNECTION_LOST, `${describe(ctx)} failed: the connection dropped the call (${details})`, ctx, extras);
  }

  let cls: BrokerErrorClass = { code: STATUS_CODES[err.code] ?? 'UNKNOWN', retryable: RETRYABLE_STATUSES.includes(err.code) };
  if (err.code === GrpcStatus.UNAVAILABLE && TLS_FAILURE.test(details)) cls = { code: 'TLS', retryable: false };
  if (err.code === GrpcStatus.RESOURCE_EXHAUSTED && MESSAGE_TOO_LARGE.test(details)) cls = { ...cls, retryable: false };
  // The broker's own reader refused a message as too large, whatever status its handler then
  // chose (the open-source server ends SendEventsStream with INTERNAL and this text inside).
  if (RECEIVED_TOO_LARGE.test(details)) cls = { code: 'RESOURCE_EXHAUSTED', retryable: false };
  return createError(cls, `${describe(ctx)} failed: ${details}`, ctx, extras);
}

/** Builds the subclass that fits the code. */
export function createError(
  cls: BrokerErrorClass,
  message: string,
  ctx: ErrorContext,
  extras: { cause?: unknown; grpcStatus?: number; sent?: boolean },
): KubemqError {
  const options: KubemqErrorOptions = {
    code: cls.code,
    message,
    operation: ctx.operation,
    retryable: cls.retryable,
    channel: ctx.channel,
    brokerCode: cls.brokerCode,
    grpcStatus: extras.grpcStatus,
    cause: extras.cause,
  };
  switch (cls.code) {
    case 'VALIDATION':
      return new ValidationError({ ...options, field: cls.field });
    case 'TIMEOUT':
      return new TimeoutError({ ...options, timeoutMs: ctx.timeoutMs, sent: extras.sent });
    case 'AUTHENTICATION':
      return new AuthenticationError(options);
    case 'UNAVAILABLE':
    case 'CONNECTION_FAILED':
    case 'RECONNECT_FAILED':
    case 'TLS':
      return new ConnectionError({ ...options, code: cls.code });
    default:
      return new KubemqError(options);
  }
}

/** `events.send on channel "orders"`, for messages. */
export function describe(ctx: ErrorContext): string {
  return ctx.channel === undefined ? ctx.operation : `${ctx.operation} on channel "${ctx.channel}"`;
}

function isStatus(err: unknown): err is StatusLike {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as StatusLike).code === 'number' &&
    'metadata' in err // grpc-js ServiceError always carries metadata
  );
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}
