import { classifyBrokerText, type BrokerErrorClass } from './broker-errors.js';
import { GrpcStatus } from './grpc-status.js';
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

/** Statuses not decided by a broker text: code and retryability. */
const STATUS_CLASSES: Readonly<Record<number, Omit<BrokerErrorClass, 'brokerCode'>>> = {
  [GrpcStatus.CANCELLED]: { code: 'CANCELLED', retryable: false },
  [GrpcStatus.UNKNOWN]: { code: 'UNKNOWN', retryable: false },
  [GrpcStatus.INVALID_ARGUMENT]: { code: 'VALIDATION', retryable: false },
  [GrpcStatus.DEADLINE_EXCEEDED]: { code: 'TIMEOUT', retryable: true },
  [GrpcStatus.NOT_FOUND]: { code: 'NOT_FOUND', retryable: false },
  [GrpcStatus.ALREADY_EXISTS]: { code: 'BROKER', retryable: false },
  [GrpcStatus.PERMISSION_DENIED]: { code: 'PERMISSION_DENIED', retryable: false },
  // A connection closed for excess pings ends its streams with RESOURCE_EXHAUSTED; see below for size.
  [GrpcStatus.RESOURCE_EXHAUSTED]: { code: 'RESOURCE_EXHAUSTED', retryable: true },
  [GrpcStatus.FAILED_PRECONDITION]: { code: 'BROKER', retryable: false },
  [GrpcStatus.ABORTED]: { code: 'BROKER', retryable: true },
  [GrpcStatus.OUT_OF_RANGE]: { code: 'VALIDATION', retryable: false },
  [GrpcStatus.UNIMPLEMENTED]: { code: 'UNIMPLEMENTED', retryable: false },
  [GrpcStatus.INTERNAL]: { code: 'INTERNAL', retryable: false },
  [GrpcStatus.UNAVAILABLE]: { code: 'UNAVAILABLE', retryable: true },
  [GrpcStatus.DATA_LOSS]: { code: 'INTERNAL', retryable: false },
  [GrpcStatus.UNAUTHENTICATED]: { code: 'AUTHENTICATION', retryable: false },
};

// Not a bare 'TLS': "socket disconnected before secure TLS connection was established" is a plain drop.
const TLS_FAILURE = /certificate|SSL routines|SSL alert|handshake failure|self[- ]signed|unable to verify/i;
const MESSAGE_TOO_LARGE = /larger than max|message too large|exceeds maximum/i;

/**
 * The one mapper from any failure to a {@link KubemqError}: gRPC statuses, the broker's
 * `Error NNN: …` texts (spec/server.md §3, §5), aborts, and anything else (as UNKNOWN with a cause).
 * A KubemqError passes through unchanged.
 */
export function mapError(err: unknown, ctx: ErrorContext): KubemqError {
  if (KubemqError.isKubemqError(err)) return err;
  if (isStatus(err)) return fromStatus(err, ctx);
  if (isAbort(err)) {
    return createError({ code: 'CANCELLED', retryable: false }, `${describe(ctx)} was aborted`, ctx, { cause: err });
  }
  const text = err instanceof Error ? err.message : String(err);
  return createError({ code: 'UNKNOWN', retryable: false }, `${describe(ctx)} failed: ${text}`, ctx, { cause: err });
}

/**
 * A KubemqError for an error text the broker put in a payload (`Result.Error`, `IsError` + `Error`,
 * `Response.Error`) with gRPC status OK. Unrecognised texts become code `BROKER`, not retryable.
 */
export function brokerError(text: string, ctx: ErrorContext): KubemqError {
  const cls = classifyBrokerText(text) ?? { code: 'BROKER', retryable: false };
  return createError(cls, `${describe(ctx)} failed: ${text}`, ctx, {});
}

function fromStatus(err: StatusLike, ctx: ErrorContext): KubemqError {
  const details = err.details || err.message || `gRPC status ${err.code}`;
  const extras = { cause: err, grpcStatus: err.code };
  const fromText = classifyBrokerText(details);
  if (fromText) return createError(fromText, `${describe(ctx)} failed: ${details}`, ctx, extras);

  let cls = STATUS_CLASSES[err.code] ?? { code: 'UNKNOWN', retryable: false };
  if (err.code === GrpcStatus.UNAVAILABLE && TLS_FAILURE.test(details)) cls = { code: 'TLS', retryable: false };
  if (err.code === GrpcStatus.RESOURCE_EXHAUSTED && MESSAGE_TOO_LARGE.test(details)) cls = { ...cls, retryable: false };
  return createError(cls, `${describe(ctx)} failed: ${details}`, ctx, extras);
}

/** Builds the subclass that fits the code. */
export function createError(
  cls: BrokerErrorClass,
  message: string,
  ctx: ErrorContext,
  extras: { cause?: unknown; grpcStatus?: number },
): KubemqError {
  const options: KubemqErrorOptions = {
    code: cls.code,
    message,
    operation: ctx.operation,
    retryable: cls.retryable,
    ...(ctx.channel !== undefined && { channel: ctx.channel }),
    ...(cls.brokerCode !== undefined && { brokerCode: cls.brokerCode }),
    ...(extras.grpcStatus !== undefined && { grpcStatus: extras.grpcStatus }),
    ...(extras.cause !== undefined && { cause: extras.cause }),
  };
  switch (cls.code) {
    case 'VALIDATION':
      return new ValidationError({ ...options, ...(cls.field !== undefined && { field: cls.field }) });
    case 'TIMEOUT':
      return new TimeoutError({ ...options, ...(ctx.timeoutMs !== undefined && { timeoutMs: ctx.timeoutMs }) });
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
