import type { MessageBody, Tags } from '@kubemq/core';
import type { HandlerContext } from './common.js';

/** A query to send: a request for data, answered by exactly one responder. */
export interface Query {
  /** Target channel; no wildcards. */
  channel: string;
  /** Payload; strings are sent as UTF-8. A query needs a body or metadata. */
  body?: MessageBody;
  /** Free-form text sent with the query (a query needs a body or metadata). */
  metadata?: string;
  /** String key/value pairs sent with the query. */
  tags?: Tags;
  /** Request id; generated when absent, so you can correlate the response. */
  id?: string;
  /**
   * How long the broker waits for a responder, in ms (a positive integer). Default: the send
   * options' `timeoutMs`, else the client's `defaultTimeoutMs`.
   */
  timeoutMs?: number;
  /**
   * Cache key: a broker with a query cache answers later queries with the same key from its cache
   * for `cacheTtlMs`. The open-source broker has no cache (it passes key and TTL to the responder).
   */
  cacheKey?: string;
  /** How long a cached answer lives, in ms, whole seconds only; required with `cacheKey`. */
  cacheTtlMs?: number;
}

/**
 * The answer to a {@link Query}. `executed: false` is an application answer, returned, not thrown;
 * no answer in time throws `TimeoutError`.
 */
export interface QueryResponse {
  /** The request id. */
  id: string;
  /** Whether the responder answered successfully (`false`, with `error`, when it failed). */
  executed: boolean;
  /** The responder's error text, when it set one. */
  error: string | undefined;
  /** When the responder executed it, as the responder stated; undefined when it sent none. */
  executedAt: Date | undefined;
  /** The responder's payload as bytes; `text()` and `json()` decode it. */
  body: Uint8Array;
  /** The responder's metadata (`''` when none). */
  metadata: string;
  /** The responder's tags (`{}` when none). */
  tags: Tags;
  /** True when a broker-side query cache answered (never on the open-source broker). */
  cacheHit: boolean;
  /** The client id of the responder that answered (of the original answer, for a cache hit). */
  responderId: string;
  /** The body decoded as UTF-8. */
  text(): string;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}

/** A query as a responder receives it. */
export interface QueryReceive {
  /** The request id; echo it in the reply. */
  id: string;
  /** The channel the query was sent to (concrete, also for wildcard subscriptions). */
  channel: string;
  /** The payload as bytes; `text()` and `json()` decode it. */
  body: Uint8Array;
  /** The sender's metadata (`''` when none). */
  metadata: string;
  /** The sender's tags (`{}` when none). */
  tags: Tags;
  /** Where the reply goes; filled in by the broker. Echo it in the reply. */
  replyChannel: string;
  /** The client id of the sender. */
  clientId: string;
  /** The sender's timeout in ms: after it a reply is useless (the broker drops it). */
  timeoutMs: number;
  /** The sender's cache key, if any. */
  cacheKey: string | undefined;
  /** The sender's cache TTL in ms, if any. */
  cacheTtlMs: number | undefined;
  /** The body decoded as UTF-8. */
  text(): string;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}

/** A responder's answer to a {@link QueryReceive}, with the data. */
export interface QueryReply {
  /** The received query's `id`. */
  requestId: string;
  /** The received query's `replyChannel`. */
  replyChannel: string;
  /** The answer: a string (sent as UTF-8) or bytes. */
  body?: MessageBody;
  /** Free-form text sent back with the answer. */
  metadata?: string;
  /** Tags sent back to the sender. */
  tags?: Tags;
  /** Default: true unless `error` is set. */
  executed?: boolean;
  /** Why it was not executed. */
  error?: string;
  /** Default: now. Sent in whole seconds (the unit the Go SDK reads), so milliseconds are dropped. */
  executedAt?: Date;
}

/** What a query handler may return: the reply without the routing fields (all optional). */
export type QueryHandlerResult = Omit<QueryReply, 'requestId' | 'replyChannel'>;

/**
 * A query handler: return the data (executed); throw → executed = false with the error's message.
 * `context.signal` aborts when the sender stops waiting.
 */
export type QueryHandler = (query: QueryReceive, context: HandlerContext) => QueryHandlerResult | void | Promise<QueryHandlerResult | void>;
