import type { KubemqError } from '@kubemq/core';

/** Options of {@link CommandsClient.send} and {@link QueriesClient.send}. */
export interface SendOptions {
  /** Abort the call: it rejects with a `KubemqError` of code `CANCELLED`. */
  signal?: AbortSignal;
  /**
   * The request's timeout in ms, used when the message itself sets no `timeoutMs` (the message
   * wins). Default: the client's `defaultTimeoutMs`.
   */
  timeoutMs?: number;
}

/** Options of {@link CommandsClient.reply} and {@link QueriesClient.reply}. */
export interface ReplyOptions {
  /** Abort the call: it rejects with a `KubemqError` of code `CANCELLED`. */
  signal?: AbortSignal;
  /** Deadline of the `SendResponse` call in ms. Default: the client's `defaultTimeoutMs`. */
  timeoutMs?: number;
}

/** What a responder subscribes to: {@link CommandsClient.subscribe}, {@link QueriesClient.subscribe}. */
export interface SubscribeOptions {
  /**
   * The channel to serve. Wildcards are allowed here (`devices.*` matches one token,
   * `devices.>` one or more), never on send.
   */
  channel: string;
  /**
   * A consumer group: each request reaches exactly one member of the group. Without a group every
   * subscriber receives every request and the first answer wins.
   */
  group?: string;
}

/** Options of the handler helpers {@link CommandsClient.handle} and {@link QueriesClient.handle}. */
export interface HandleOptions extends SubscribeOptions {
  /** How many requests the handler runs at once. Default {@link DEFAULT_HANDLER_CONCURRENCY}. */
  concurrency?: number;
  /**
   * Called with failures that do not stop the responder (a reply that could not be sent) and with
   * the error that ended it. Default: the client's logger.
   */
  onError?: (error: KubemqError) => void;
}

/** What a `handle()` handler gets besides the request. */
export interface HandlerContext {
  /**
   * Aborted when the sender has stopped waiting: the request's `timeoutMs` has passed since it
   * arrived here. Pass it on to work you can cancel; a reply after it is dropped by the broker.
   */
  signal: AbortSignal;
}

/** Options of {@link Responder.ready}. */
export interface ReadyOptions {
  /** Give up after this many ms (rejects with `TimeoutError`). Default {@link DEFAULT_READY_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Abort the wait: it rejects with a `KubemqError` of code `CANCELLED`. */
  signal?: AbortSignal;
}

/**
 * A running responder returned by `handle()`: it serves requests until `close()`, and re-subscribes
 * by itself after a reconnect.
 */
export interface Responder extends AsyncDisposable {
  /** The channel (or wildcard pattern) it serves. */
  readonly channel: string;
  /** Its consumer group, if any. */
  readonly group: string | undefined;
  /**
   * Proves the broker routes requests to this responder: sends readiness probes (requests tagged
   * {@link READINESS_PROBE_TAG}) to the responder's channel until this responder answers one. The
   * broker gives no other signal that a subscription is registered. Probes never reach your
   * handler, but they are real requests: responders on the same channel that are not built with
   * `@kubemq/rpc` see them as ordinary requests. Resolves at once when nothing changed since the
   * last proof; after a reconnect it probes again.
   */
  ready(options?: ReadyOptions): Promise<void>;
  /** Stops taking requests, waits for running handlers, then resolves. Idempotent. */
  close(): Promise<void>;
  /**
   * Settles when the responder has stopped: resolves after `close()` (or the client's close),
   * rejects with the error that ended the subscription otherwise. Never an unhandled rejection.
   */
  readonly closed: Promise<void>;
}
