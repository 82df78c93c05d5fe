import type { ErrorCode } from './error-codes.js';

/** Marks KubemqError instances across duplicate copies of this package (ESM + CJS, nested installs). */
const BRAND = /* @__PURE__ */ Symbol.for('@kubemq/core/KubemqError');

/** What every {@link KubemqError} is built from. */
export interface KubemqErrorOptions {
  /** What went wrong. */
  code: ErrorCode;
  /** Human-readable; never holds a token or a message body. */
  message: string;
  /** The SDK operation that failed, e.g. `events.send`. */
  operation: string;
  /** The channel involved, when there is one. */
  channel?: string | undefined;
  /** Whether repeating the same operation may succeed. Defaults to false. */
  retryable?: boolean | undefined;
  /** The `NNN` of the broker's `Error NNN: …` text. */
  brokerCode?: number | undefined;
  /** The gRPC status code the call ended with. */
  grpcStatus?: number | undefined;
  /** The underlying error (ES2022 `cause`). */
  cause?: unknown | undefined;
}

/**
 * The one error type of the SDK. Every failure of a KubeMQ operation is a `KubemqError` (or one
 * of its subclasses that carry extra fields): check `code`, and `retryable` before retrying.
 *
 * @example
 * ```ts
 * try {
 *   await client.ping();
 * } catch (err) {
 *   if (KubemqError.isKubemqError(err) && err.retryable) scheduleRetry();
 *   else throw err;
 * }
 * ```
 */
export class KubemqError extends Error {
  /** The class name, also for errors that crossed a serialisation boundary. */
  override readonly name: string = 'KubemqError';
  /** What went wrong, as a stable code. */
  readonly code: ErrorCode;
  /** Whether repeating the same operation may succeed (transient failure). */
  readonly retryable: boolean;
  /** The SDK operation that failed, e.g. `events.send` or `client.ping`. */
  readonly operation: string;
  /** The channel involved, when there is one. */
  readonly channel: string | undefined;
  /** The `NNN` of the broker's `Error NNN: …` text, when the broker sent one. */
  readonly brokerCode: number | undefined;
  /** The gRPC status code the call ended with, when it came from a call. */
  readonly grpcStatus: number | undefined;

  constructor(options: KubemqErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.retryable = options.retryable ?? false;
    this.operation = options.operation;
    this.channel = options.channel;
    this.brokerCode = options.brokerCode;
    this.grpcStatus = options.grpcStatus;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * True for any KubemqError, also one created by another copy of this package, where
   * `instanceof` would say false.
   */
  static isKubemqError(value: unknown): value is KubemqError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** A plain object for logs and JSON (the cause is reduced to its name and message). */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      operation: this.operation,
    };
    if (this.channel !== undefined) json['channel'] = this.channel;
    if (this.brokerCode !== undefined) json['brokerCode'] = this.brokerCode;
    if (this.grpcStatus !== undefined) json['grpcStatus'] = this.grpcStatus;
    if (this.cause instanceof Error) json['cause'] = { name: this.cause.name, message: this.cause.message };
    return json;
  }
}

/** Input that breaks a rule; `field` names it (`channel`, `tags.foo`, …). Never retryable. */
export class ValidationError extends KubemqError {
  /** `ValidationError`. */
  override readonly name: string = 'ValidationError';
  /** The offending input field, as the caller named it (or the wire field for broker-side checks). */
  readonly field: string | undefined;

  constructor(options: Omit<KubemqErrorOptions, 'code' | 'retryable'> & { field?: string | undefined }) {
    super({ ...options, code: 'VALIDATION', retryable: false });
    this.field = options.field;
  }

  /** {@link KubemqError.toJSON}, with the `field`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), field: this.field };
  }
}

/**
 * A deadline passed. `timeoutMs` is the deadline that applied, when known; `sent` says whether the
 * request had left the client, so whether sending it again can apply it twice.
 */
export class TimeoutError extends KubemqError {
  /** `TimeoutError`. */
  override readonly name: string = 'TimeoutError';
  /** The deadline that passed, in ms, when known. */
  readonly timeoutMs: number | undefined;
  /**
   * `false`: the request never left this client (it timed out waiting for the connection, or
   * for its turn), so the broker never saw it and sending it again cannot apply it twice; `cause`
   * then says why, when the client knows (the last reconnect attempt's failure). `true`: it was
   * sent and no answer came in time, so the broker (or a responder) may have carried it out.
   * `undefined`: the timeout was of no request (a `ready()`, a close), or the SDK cannot tell.
   */
  readonly sent: boolean | undefined;

  constructor(options: Omit<KubemqErrorOptions, 'code'> & { timeoutMs?: number | undefined; sent?: boolean | undefined }) {
    super({ ...options, code: 'TIMEOUT', retryable: options.retryable ?? true });
    this.timeoutMs = options.timeoutMs;
    this.sent = options.sent;
  }

  /** {@link KubemqError.toJSON}, with the `timeoutMs` and, when known, `sent`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeoutMs: this.timeoutMs, ...(this.sent !== undefined && { sent: this.sent }) };
  }
}

/** The connection failed: unreachable broker, TLS handshake, or the reconnect policy gave up. */
export class ConnectionError extends KubemqError {
  /** `ConnectionError`. */
  override readonly name: string = 'ConnectionError';

  constructor(options: KubemqErrorOptions & { code: 'UNAVAILABLE' | 'CONNECTION_FAILED' | 'RECONNECT_FAILED' | 'TLS' }) {
    super(options);
  }
}

/** The broker refused the credentials. Retryable only when a fresh token may fix it. */
export class AuthenticationError extends KubemqError {
  /** `AuthenticationError`. */
  override readonly name: string = 'AuthenticationError';

  constructor(options: Omit<KubemqErrorOptions, 'code'>) {
    super({ ...options, code: 'AUTHENTICATION' });
  }
}

/**
 * A received body that the channel's codec could not decode, or whose value failed the codec's
 * validation. It is delivered with that one message (`decodeError`); the subscription goes on.
 */
export class DecodeError extends KubemqError {
  /** `DecodeError`. */
  override readonly name: string = 'DecodeError';
  /** The codec's name (`json`, `text`, `bytes`, or the user codec's). */
  readonly codec: string;
  /** The id of the message that failed. */
  readonly messageId: string;

  constructor(options: Omit<KubemqErrorOptions, 'code' | 'retryable'> & { codec: string; messageId: string }) {
    super({ ...options, code: 'DECODE_FAILED', retryable: false });
    this.codec = options.codec;
    this.messageId = options.messageId;
  }

  /** {@link KubemqError.toJSON}, with the `codec` and `messageId`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), codec: this.codec, messageId: this.messageId };
  }
}
