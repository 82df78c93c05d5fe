import type { MessageBody, Tags } from '@kubemq/core';
import type { HandlerContext } from './handler-context.js';

/**
 * A query to send: a request for data, answered by exactly one responder.
 *
 * @example
 * ```ts
 * const lookup: Query = { channel: 'inventory.stock', body: 'sku-1', cacheKey: 'stock:sku-1', cacheTtlSeconds: 60, timeoutMs: 3000 };
 * ```
 */
export interface Query {
  /** Target channel; no wildcards. */
  channel: string;
  /** Payload; strings are sent as UTF-8. A query needs a body or metadata. */
  body?: MessageBody | undefined;
  /** Free-form text sent with the query (a query needs a body or metadata). */
  metadata?: string | undefined;
  /** String key/value pairs sent with the query. */
  tags?: Tags | undefined;
  /** Request id; generated when absent, so you can correlate the response. */
  id?: string | undefined;
  /**
   * How long the broker waits for a responder, in ms (a positive integer): past it the send fails
   * with a `TimeoutError`. The call itself may take this plus a margin (10 %, at least 1 s), so
   * that the broker's answer arrives first. Default: the client's `defaultTimeoutMs`.
   */
  timeoutMs?: number | undefined;
  /**
   * Cache key: a broker with a query cache answers later queries with the same key from its cache
   * for `cacheTtlSeconds`. The open-source broker has no cache (it passes key and TTL to the responder).
   */
  cacheKey?: string | undefined;
  /**
   * How long a cached answer lives, in whole seconds (the broker's unit; `1.5` is a
   * `ValidationError`, never rounded); required with `cacheKey`.
   */
  cacheTtlSeconds?: number | undefined;
}

/**
 * The answer to a {@link Query}. `executed: false` is an application answer, returned, not thrown;
 * no answer in time throws `TimeoutError`.
 *
 * @example
 * ```ts
 * const available = (res: QueryResponse) => (res.executed ? res.json<{ available: number }>().available : 0);
 * ```
 */
export interface QueryResponse {
  /** The request id. */
  readonly id: string;
  /** Whether the responder answered successfully (`false`, with `error`, when it failed). */
  readonly executed: boolean;
  /** The responder's error text, when it set one. */
  readonly error: string | undefined;
  /** When the responder executed it, as the responder stated; undefined when it sent none. */
  readonly executedAt: Date | undefined;
  /** The responder's payload as bytes; `text()` and `json()` decode it. */
  readonly body: Uint8Array;
  /** The responder's metadata (`''` when none). */
  readonly metadata: string;
  /** The responder's tags (`{}` when none). */
  readonly tags: Readonly<Tags>;
  /**
   * True when a broker-side query cache answered. The open-source broker has no cache: there it
   * is what the responder set (its reply's `cacheHit`), passed on unchanged.
   */
  readonly cacheHit: boolean;
  /** The client id of the responder that answered (of the original answer, for a cache hit). */
  readonly responderId: string;
  /** The body decoded as UTF-8. */
  text(): string;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}

/**
 * A query as a responder receives it.
 *
 * @example
 * ```ts
 * const cacheFor = (q: QueryReceive) => (q.cacheKey === undefined ? undefined : { key: q.cacheKey, seconds: q.cacheTtlSeconds });
 * ```
 */
export interface QueryReceive {
  /** The request id; echo it in the reply. */
  readonly id: string;
  /** The channel the query was sent to (concrete, also for wildcard subscriptions). */
  readonly channel: string;
  /** The payload as bytes; `text()` and `json()` decode it. */
  readonly body: Uint8Array;
  /** The sender's metadata (`''` when none). */
  readonly metadata: string;
  /** The sender's tags (`{}` when none). */
  readonly tags: Readonly<Tags>;
  /** Where the reply goes; filled in by the broker. Echo it in the reply. */
  readonly replyChannel: string;
  /** The client id of the sender. */
  readonly clientId: string;
  /**
   * The sender's timeout in ms: after it a reply is useless (the broker drops it). 0 when the broker
   * did not pass it on (some server versions clear it, with the cache key and TTL): the handler's
   * `signal` then never aborts for it.
   */
  readonly timeoutMs: number;
  /** The sender's cache key, if any. */
  readonly cacheKey: string | undefined;
  /** The sender's cache TTL in whole seconds, if any. */
  readonly cacheTtlSeconds: number | undefined;
  /** The body decoded as UTF-8. */
  text(): string;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}

/**
 * A responder's answer to a {@link QueryReceive}, with the data.
 *
 * @example
 * ```ts
 * const answer = (q: QueryReceive): QueryReply => ({ requestId: q.id, replyChannel: q.replyChannel, body: '{"available":3}' });
 * ```
 */
export interface QueryReply {
  /** The received query's `id`. */
  requestId: string;
  /** The received query's `replyChannel`. */
  replyChannel: string;
  /** The answer: a string (sent as UTF-8) or bytes. */
  body?: MessageBody | undefined;
  /** Free-form text sent back with the answer. */
  metadata?: string | undefined;
  /** Tags sent back to the sender. */
  tags?: Tags | undefined;
  /** Default: true unless `error` is set. */
  executed?: boolean | undefined;
  /** Why it was not executed. */
  error?: string | undefined;
  /** Default: now. Sent in whole seconds (the unit the Go SDK reads), so milliseconds are dropped. */
  executedAt?: Date | undefined;
  /**
   * Default: false. Set it when the responder answered from a cache of its own (keyed by the
   * query's `cacheKey`): the open-source broker, which has none, passes it on to the sender as
   * `QueryResponse.cacheHit`.
   */
  cacheHit?: boolean | undefined;
}

/**
 * What a query handler may return: the reply without the routing fields (all optional).
 *
 * @example
 * ```ts
 * const result: QueryHandlerResult = { body: '{"available":3}', metadata: 'application/json' };
 * ```
 */
export type QueryHandlerResult = Omit<QueryReply, 'requestId' | 'replyChannel'>;

/**
 * A query handler: return the data (executed); throw → executed = false with the error's message.
 * `context.signal` aborts when the sender stops waiting.
 *
 * @example
 * ```ts
 * const handler: QueryHandler = (q) => ({ body: JSON.stringify({ sku: q.text(), available: 3 }) });
 * ```
 */
export type QueryHandler = (query: QueryReceive, context: HandlerContext) => QueryHandlerResult | void | Promise<QueryHandlerResult | void>;

/**
 * What a queries responder subscribes to: {@link QueriesClient.subscribe}.
 *
 * @example
 * ```ts
 * const options: QueriesSubscription = { channel: 'inventory.>', group: 'inventory-service', bufferSize: 256 };
 * ```
 */
export interface QueriesSubscription {
  /**
   * The channel to serve. Wildcards are allowed here (`inventory.*` matches one token,
   * `inventory.>` one or more), never on send.
   */
  channel: string;
  /**
   * A consumer group: each query reaches exactly one member of the group. Without a group every
   * subscriber receives every query and the first answer wins.
   */
  group?: string | undefined;
  /**
   * How many received queries may wait for a slow `for await` loop (default 1024): one more ends
   * the loop with an `IteratorOverflowError` instead of growing without bound.
   */
  bufferSize?: number | undefined;
  /**
   * Aborting it ends the subscription quietly: a subscriber sees it complete, and a `for await`
   * loop ends (at once while it waits for a request, else at its next step). Already aborted,
   * nothing is opened.
   */
  signal?: AbortSignal | undefined;
}
