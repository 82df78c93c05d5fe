/**
 * Every code a {@link KubemqError} can carry. A const object plus a union type of its values
 * (never a TS `enum`: compiled enums are IIFEs that bundlers cannot drop).
 */
export const ErrorCode = {
  /** Bad input, rejected by the client before sending or by the broker (`Error 1xx`). */
  VALIDATION: 'VALIDATION',
  /** A deadline passed: the call's own timeout, or the broker's `Error 301` (no responder in time). */
  TIMEOUT: 'TIMEOUT',
  /** The caller aborted the call (its `AbortSignal`), or the call was cancelled. */
  CANCELLED: 'CANCELLED',
  /** The broker cannot be reached or is not ready right now (gRPC UNAVAILABLE, `Error 409`, …). */
  UNAVAILABLE: 'UNAVAILABLE',
  /** The first connection could not be established within the connect timeout. */
  CONNECTION_FAILED: 'CONNECTION_FAILED',
  /** The reconnect policy gave up (max attempts reached); the client is closed. */
  RECONNECT_FAILED: 'RECONNECT_FAILED',
  /** The TLS handshake failed (unknown CA, wrong server name, missing or rejected client certificate). */
  TLS: 'TLS',
  /** The broker refused the credentials (gRPC UNAUTHENTICATED). */
  AUTHENTICATION: 'AUTHENTICATION',
  /** The broker refused the operation for these credentials (gRPC PERMISSION_DENIED). */
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  /** A size or rate limit was hit (gRPC RESOURCE_EXHAUSTED: message over 100 MiB, too many pings). */
  RESOURCE_EXHAUSTED: 'RESOURCE_EXHAUSTED',
  /**
   * Too many unary calls wait for the connection (`maxPendingCalls`), or a send stream's queue is
   * full (nothing was sent); or a `for await` loop fell more than its stream's `bufferSize` behind.
   */
  BUFFER_FULL: 'BUFFER_FULL',
  /**
   * What the call was made on takes no more work: the client is closed (or closing), or the handle
   * or transaction the call was made on is: a stopped listener's or responder's `ready()`, a closed
   * stream handle or upstream, a queue transaction or message already settled, closed, or lost
   * with its stream (a `QueueTransactionError`, whose `reason` says which). Also a call that a
   * client's `close()` cut after sending it: the broker may have carried it out (its message says so).
   */
  CLOSED: 'CLOSED',
  /** The broker does not implement the method (gRPC UNIMPLEMENTED). */
  UNIMPLEMENTED: 'UNIMPLEMENTED',
  /** The named resource does not exist (gRPC NOT_FOUND). */
  NOT_FOUND: 'NOT_FOUND',
  /** The queue had no message to deliver (`Error 138`): a normal outcome, mapped only when asked. */
  QUEUE_EMPTY: 'QUEUE_EMPTY',
  /** The broker reported a failure that is none of the above (see `brokerCode` and `message`). */
  BROKER: 'BROKER',
  /** The broker failed internally (gRPC INTERNAL, DATA_LOSS, or a recovered crash, `Error 200`). */
  INTERNAL: 'INTERNAL',
  /** A received body could not be decoded by the channel's codec (or failed its validation). */
  DECODE_FAILED: 'DECODE_FAILED',
  /** Anything else. The original error is the `cause`. */
  UNKNOWN: 'UNKNOWN',
} as const;

/** The union of the `ErrorCode` constant's values (`'TIMEOUT'`, `'VALIDATION'`, …). */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
