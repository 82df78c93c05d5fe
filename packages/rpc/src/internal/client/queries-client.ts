import type { CallOptions, KubemqClient, IterableObservable } from '@kubemq/core';
import { toQueryReceive } from '../convert/received.js';
import { toQueryResponse } from '../convert/response.js';
import { QUERIES } from '../kind.js';
import type { RequestOptions } from '../types/request-options.js';
import type { Query, QueryReceive, QueryReply, QueryResponse, QueriesSubscription } from '../types/query.js';
import { RequestsEngine, subscribeRequests } from './requests-engine.js';

/**
 * Queries over one `KubemqClient`: ask a channel for data and wait for the answer, or subscribe
 * to a channel's queries and reply. Get one with {@link queries}; serve a channel with a handler
 * through `queryResponder()`.
 *
 * Only an object made by {@link queries} is accepted where a client of this pattern is taken
 * (`queryResponder()`, `queryChannel()`, which also take a `KubemqClient`): another object of this
 * shape, such as a decorator or a test double, is refused with a `ValidationError`
 * (`invalid client`). A test double should wrap a real client (and hand these functions the client
 * itself), or run against the broker of `@kubemq/testing`.
 *
 * @example
 * ```ts
 * const asks: QueriesClient = queries(client);
 * const res = await asks.send({ channel: 'inventory.lookup', body: 'sku-1', timeoutMs: 5000 });
 * if (res.executed) console.log(res.json<{ stock: number }>().stock);
 * ```
 */
export interface QueriesClient {
  /**
   * Sends a query and waits for one responder's answer (or a broker cache hit). Resolves with the
   * answer even when the responder reports `executed: false`; rejects with `TimeoutError` when no
   * responder answered within the query's `timeoutMs`, with `ValidationError` (naming the field,
   * nothing sent) on bad input, with `CANCELLED` when `options.signal` aborts.
   */
  send(query: Query, options?: RequestOptions): Promise<QueryResponse>;
  /**
   * Subscribes to queries on a channel (wildcards allowed) as a raw stream: answer each with
   * {@link QueriesClient.reply}. Cold; re-subscribes after a reconnect. The broker gives no signal
   * when the subscription is registered: see `Responder.ready()` or probe before relying on it.
   */
  subscribe(subscription: QueriesSubscription): IterableObservable<QueryReceive>;
  /** Answers a received query with data (its `id` and `replyChannel` go into `requestId` and `replyChannel`). */
  reply(reply: QueryReply, options?: CallOptions): Promise<void>;
}

/** {@link QueriesClient} on one client's request engine (which responders serve through too). */
export class QueriesOnClient implements QueriesClient {
  readonly engine: RequestsEngine;

  constructor(client: KubemqClient) {
    this.engine = new RequestsEngine(client, QUERIES);
  }

  send(query: Query, options?: RequestOptions): Promise<QueryResponse> {
    return this.engine.send(query, options, toQueryResponse);
  }

  subscribe(subscription: QueriesSubscription): IterableObservable<QueryReceive> {
    return subscribeRequests(this.engine, subscription, toQueryReceive);
  }

  reply(reply: QueryReply, options?: CallOptions): Promise<void> {
    return this.engine.reply(reply, options);
  }
}

/**
 * Attaches queries to a client.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { queries, queryResponder } from '@kubemq/rpc';
 *
 * await using client = await KubemqClient.connect({ address: 'localhost:50000' });
 * await using responder = queryResponder(client, { channel: 'inventory.lookup' }, (q) => ({
 *   body: JSON.stringify({ sku: q.text(), stock: 7 }),
 * }));
 * await responder.ready();
 * const res = await queries(client).send({ channel: 'inventory.lookup', body: 'sku-1', timeoutMs: 5000 });
 * ```
 */
export function queries(client: KubemqClient): QueriesClient {
  return new QueriesOnClient(client);
}
