import type { KubemqClient, IterableObservable } from '@kubemq/core';
import { iterableObservable } from '@kubemq/core/internal';
import { map } from 'rxjs';
import { toQueryReceive } from '../convert/received.js';
import { toQueryResponse } from '../convert/response.js';
import { QUERIES } from '../kind.js';
import { RequestResponder } from '../serve/responder.js';
import type { HandleOptions, ReplyOptions, Responder, SendOptions, SubscribeOptions } from '../types/common.js';
import type { Query, QueryHandler, QueryReceive, QueryReply, QueryResponse } from '../types/query.js';
import { RequestsEngine, tracedRequests } from './requests-engine.js';

/**
 * Queries over one {@link KubemqClient}: ask a channel for data and wait for the answer, or serve
 * a channel. Get one with {@link queries}.
 *
 * @example
 * ```ts
 * const res = await queries(client).send({ channel: 'inventory.lookup', body: 'sku-1', timeoutMs: 5000 });
 * if (res.executed) console.log(res.json<{ stock: number }>().stock);
 * ```
 */
export class QueriesClient {
  readonly #engine: RequestsEngine;

  constructor(client: KubemqClient) {
    this.#engine = new RequestsEngine(client, QUERIES);
  }

  /**
   * Sends a query and waits for one responder's answer (or a broker cache hit). Resolves with the
   * answer even when the responder reports `executed: false`; rejects with `TimeoutError` when no
   * responder answered within the query's `timeoutMs`, with `ValidationError` (naming the field,
   * nothing sent) on bad input.
   */
  send(query: Query, options?: SendOptions): Promise<QueryResponse> {
    return this.#engine.send(query, options, toQueryResponse);
  }

  /**
   * Subscribes to queries on a channel (wildcards allowed) as a raw stream: answer each with
   * {@link QueriesClient.reply}. Cold; re-subscribes after a reconnect. The broker gives no signal
   * when the subscription is registered: see {@link Responder.ready} or probe before relying on it.
   */
  subscribe(options: SubscribeOptions): IterableObservable<QueryReceive> {
    const built = this.#engine.prepareSubscribe(options);
    return iterableObservable(this.#engine.requests(built).pipe(tracedRequests(this.#engine, built), map(toQueryReceive)));
  }

  /** Answers a received query with data (its `id` and `replyChannel` go into `requestId` and `replyChannel`). */
  reply(reply: QueryReply, options?: ReplyOptions): Promise<void> {
    return this.#engine.reply(reply, options);
  }

  /**
   * Serves a channel with a handler and replies for it with what the handler returns (`body`,
   * `metadata`, `tags`); throwing means `executed: false` with the error's message. Runs until
   * `close()`.
   */
  handle(options: HandleOptions, handler: QueryHandler): Responder {
    return new RequestResponder(this.#engine, options, handler, toQueryReceive);
  }
}

/**
 * Attaches queries to a client.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { queries } from '@kubemq/rpc';
 *
 * await using client = await KubemqClient.connect({ address: 'localhost:50000' });
 * await using responder = queries(client).handle({ channel: 'inventory.lookup' }, (q) => ({
 *   body: JSON.stringify({ sku: q.text(), stock: 7 }),
 * }));
 * await responder.ready();
 * const res = await queries(client).send({ channel: 'inventory.lookup', body: 'sku-1', timeoutMs: 5000 });
 * ```
 */
export function queries(client: KubemqClient): QueriesClient {
  return new QueriesClient(client);
}
