import type { CallOptions } from '@kubemq/core';
import type { CommandReceive } from './command.js';
import type { QueryReceive } from './query.js';

/**
 * Options of the responders (`commandResponder()`, `queryResponder()`): what to serve (the
 * subscription's `channel` and `group`) and how to run the handler.
 *
 * @typeParam R - what a request looks like to `onError`: `CommandReceive` or `QueryReceive`.
 *
 * @example
 * ```ts
 * const stop = new AbortController();
 * const options: HandleOptions = {
 *   channel: 'jobs.*',
 *   group: 'workers',
 *   concurrency: 8,
 *   signal: stop.signal,
 *   onError: (error, request) => console.error('job', request?.id, error),
 * };
 * ```
 */
export interface HandleOptions<R extends CommandReceive | QueryReceive = CommandReceive | QueryReceive> {
  /**
   * The channel to serve. Wildcards are allowed here (`jobs.*` matches one token, `jobs.>` one
   * or more), never on send.
   */
  channel: string;
  /**
   * A consumer group: each request reaches exactly one member of the group. Without a group every
   * responder on the channel receives every request and the first answer wins.
   */
  group?: string | undefined;
  /** How many requests the handler runs at once. Default {@link DEFAULT_HANDLER_CONCURRENCY}. */
  concurrency?: number | undefined;
  /** Aborting it stops the responder, as {@link Responder.stop} does. */
  signal?: AbortSignal | undefined;
  /**
   * Called with what goes wrong without stopping the responder, with the request it concerns: a
   * reply the broker did not take, a handler result that is not a valid reply (the sender gets
   * `executed: false`), a request a typed channel could not decode; and, without a request, a
   * request over the client's `maxMessageBytes` (lost: grpc-js refuses it and ends the stream,
   * which re-opens; code `RESOURCE_EXHAUSTED`) and the error that ended the responder. A handler
   * that throws is an answer (`executed: false`), not an error: it is counted in
   * {@link ResponderStats.handlerErrors}. Default: a warning through the client's `logger`
   * (nothing when it has none). An `onError` that throws, or returns a promise that rejects, is
   * ignored.
   */
  onError?: ((error: unknown, request?: R) => void) | undefined;
}

/**
 * What a {@link Responder} has done so far: a snapshot, a new object on every read.
 *
 * @example
 * ```ts
 * const { handled, handlerErrors, skipped, waiting }: ResponderStats = responder.stats;
 * ```
 */
export interface ResponderStats {
  /** Requests received (readiness probes not counted). */
  readonly received: number;
  /**
   * Handler runs that returned (or resolved): `handled + handlerErrors` is every run, as in an
   * events listener's stats.
   */
  readonly handled: number;
  /**
   * Handler runs that threw (or rejected; the sender got `executed: false` with the error's
   * message), requests a typed channel could not decode included.
   */
  readonly handlerErrors: number;
  /**
   * Requests never given to the handler: their sender gave up while they waited for a free slot
   * (they leave the queue then; a sign that `concurrency` is too low for the load), or they were
   * still waiting when the responder stopped. Their senders get a `TimeoutError`.
   */
  readonly skipped: number;
  /** Replies the broker took (answers to readiness probes not counted). */
  readonly repliesSent: number;
  /** Replies the broker did not take (each one reported to `onError`). */
  readonly replyErrors: number;
  /** Readiness probes answered: this responder's own, and those of other members of its group. */
  readonly probesAnswered: number;
  /** Handler runs in progress now. */
  readonly running: number;
  /** Requests waiting for a free slot now. */
  readonly waiting: number;
  /**
   * Times the request stream was opened again after it broke (a reconnect, a broker restart, a
   * request over the client's `maxMessageBytes`): every attempt, one the broker refused included.
   */
  readonly recoveries: number;
}

/**
 * A running responder (`commandResponder()`, `queryResponder()`): it serves requests until
 * `stop()` (or its `signal`, or the client's close), and re-subscribes by itself after a reconnect.
 *
 * @example
 * ```ts
 * const responder: Responder = commandResponder(client, { channel: 'jobs' }, () => undefined);
 * await responder.ready();
 * console.log(responder.stats.handled);
 * await responder.stop();
 * await responder.done;
 * ```
 */
export interface Responder extends AsyncDisposable {
  /** The channel (or wildcard pattern) it serves. */
  readonly channel: string;
  /** Its consumer group, if any. */
  readonly group: string | undefined;
  /**
   * Proves the broker routes requests to this responder: sends readiness probes (requests tagged
   * {@link RPC_READINESS_PROBE_TAG}) to the responder's channel until this responder answers one. The
   * broker gives no other signal that a subscription is registered. Probes never reach your
   * handler, but they are real requests: responders on the same channel that are not built with
   * `@kubemq/rpc` see them as ordinary requests. Resolves at once when nothing changed since the
   * last proof; after a reconnect it probes again.
   *
   * @param options `timeoutMs` bounds the whole proof (default {@link DEFAULT_READY_TIMEOUT_MS});
   *   past it, a `TimeoutError`. A `signal` aborts it (`CANCELLED`). A stopped responder rejects
   *   with `CLOSED`.
   */
  ready(options?: CallOptions): Promise<void>;
  /**
   * Stops taking requests, lets the handlers that are running finish and send their replies, then
   * resolves. Requests still waiting for a slot are not run (their senders get a `TimeoutError`).
   * Idempotent. Calling it from inside a handler: do not await it there (it waits for that
   * handler, which then never replies); nor the client's `close()`, which waits the same way.
   */
  stop(): Promise<void>;
  /**
   * Resolves once the responder has stopped (`stop()`, its `signal`, the client's close); rejects
   * with the error that ended it when the subscription failed in a way it cannot recover from.
   * Never an unhandled rejection: the error also goes to `onError`.
   */
  readonly done: Promise<void>;
  /** What it has done so far (a snapshot). */
  readonly stats: ResponderStats;
}
