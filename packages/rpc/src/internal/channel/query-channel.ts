import { ValidationError, type CallOptions, type Codec, type Decoded, type KubemqClient, type IterableObservable } from '@kubemq/core';
import {
  checked,
  decodeEach,
  decodeReceived,
  encodeTyped,
  encodeValue,
  optionsObject,
  patternClientFor,
  typedChannelConfig,
  validateCodec,
  withDecoded,
} from '@kubemq/core/internal';
import { QueriesOnClient, type QueriesClient } from '../client/queries-client.js';
import type { RequestOptions } from '../types/request-options.js';
import type { HandlerContext } from '../types/handler-context.js';
import { registerServeThrough, type ServeThrough } from '../serve/serve-through.js';
import type { HandleOptions } from '../types/responder.js';
import type { Query, QueryHandlerResult, QueryReceive, QueryReply, QueryResponse, QueriesSubscription } from '../types/query.js';

/**
 * A typed query for a {@link QueryChannel}: the `value` is encoded by the channel's request codec.
 *
 * @example
 * ```ts
 * const lookup: TypedQuery<{ sku: string }> = { value: { sku: 'sku-1' }, timeoutMs: 5000, cacheKey: 'stock:sku-1', cacheTtlSeconds: 60 };
 * ```
 */
export interface TypedQuery<Req> extends Omit<Query, 'channel' | 'body'> {
  /** The request payload, encoded by the channel's request codec. */
  value: Req;
}

/**
 * A query's answer with its body decoded by the response codec: `ok` with the `value` when the
 * responder executed it and its body decoded; otherwise not `ok`, with `decodeError` when the
 * body did not decode, or with `executed: false` and the responder's `error`.
 *
 * @example
 * ```ts
 * const stock = (res: TypedQueryResponse<{ available: number }>) => (res.ok ? res.value.available : res.error ?? res.decodeError?.message);
 * ```
 */
export type TypedQueryResponse<Res> = QueryResponse &
  (
    | Decoded<Res>
    | {
        /** Not executed: nothing to decode (see `error`). */
        readonly ok: false;
        /** Absent. */
        readonly value?: undefined;
        /** Absent: the responder did not execute the query. */
        readonly decodeError?: undefined;
      }
  );

/**
 * A received query with its body decoded: `ok` and `value`, or not `ok` and the `decodeError`.
 *
 * @example
 * ```ts
 * const sku = (q: TypedQueryReceive<{ sku: string }>) => (q.ok ? q.value.sku : undefined);
 * ```
 */
export type TypedQueryReceive<Req> = QueryReceive & Decoded<Req>;

/**
 * What a typed query handler is given: a query whose body decoded.
 *
 * @example
 * ```ts
 * const handler = (q: DecodedQuery<{ sku: string }>) => ({ value: { sku: q.value.sku, available: 3 } });
 * ```
 */
export type DecodedQuery<Req> = QueryReceive & {
  /** Always true: only messages whose body decoded get here. */
  readonly ok: true;
  /** The decoded value. */
  readonly value: Req;
};

/**
 * A typed query handler's answer: the `value` (encoded by the response codec) and optional
 * metadata and tags.
 *
 * @example
 * ```ts
 * const answer: TypedQueryHandlerResult<{ available: number }> = { value: { available: 3 }, tags: { source: 'db' } };
 * ```
 */
export interface TypedQueryHandlerResult<Res> extends Omit<QueryHandlerResult, 'body' | 'executed' | 'error'> {
  /** The answer, encoded by the channel's response codec. */
  value: Res;
}

/**
 * A typed query handler: return the answer, or throw for `executed: false`. A query whose body
 * does not decode never reaches it (the sender gets `executed: false` with the DecodeError's
 * message, and `onError` gets the DecodeError); an answer the response codec refuses is sent
 * as `executed: false` too.
 *
 * @example
 * ```ts
 * const stock: TypedQueryHandler<{ sku: string }, { available: number }> = async (q) => ({ value: { available: q.value.sku.length } });
 * ```
 */
export type TypedQueryHandler<Req, Res> = (
  query: DecodedQuery<Req>,
  context: HandlerContext,
) => TypedQueryHandlerResult<Res> | Promise<TypedQueryHandlerResult<Res>>;

/**
 * Options of {@link queryChannel}.
 *
 * @example
 * ```ts
 * const options: QueryChannelOptions<string, number> = { channel: 'stock', codec: textCodec(), responseCodec: jsonCodec<number>() };
 * ```
 */
export interface QueryChannelOptions<Req, Res> {
  /** The channel; a wildcard pattern can be served or subscribed to, not sent to. */
  channel: string;
  /** Encodes sent queries and decodes received ones. */
  codec: Codec<Req>;
  /** Encodes handlers' answers and decodes the answers senders get. */
  responseCodec: Codec<Res>;
}

/**
 * A typed answer to a received query (see {@link QueryChannel.reply}): the `value` is encoded by
 * the channel's response codec.
 *
 * @example
 * ```ts
 * const answer = (q: TypedQueryReceive<{ sku: string }>): TypedQueryReply<{ available: number }> => ({
 *   requestId: q.id,
 *   replyChannel: q.replyChannel,
 *   value: { available: 3 },
 * });
 * ```
 */
export interface TypedQueryReply<Res> extends Omit<QueryReply, 'body' | 'executed' | 'error'> {
  /** The answer, encoded by the channel's response codec. */
  value: Res;
}

/**
 * One queries channel with a request and a response codec: the methods of {@link QueriesClient},
 * with the channel fixed and values instead of bodies. Made by {@link queryChannel}; give it to
 * `queryResponder()` to serve it with a typed handler.
 *
 * Only an object made by {@link queryChannel} is accepted as a typed channel by `queryResponder()`:
 * another object of this shape, such as a decorator or a test double, is refused with a
 * `ValidationError` (`invalid client`). A test double should wrap a real client (and hand these
 * functions the client itself), or run against the broker of `@kubemq/testing`.
 *
 * @example
 * ```ts
 * const stock: QueryChannel<string, number> = queryChannel(client, { channel: 'stock', codec: textCodec(), responseCodec: jsonCodec<number>() });
 * const res = await stock.send({ value: 'sku-1', timeoutMs: 5000 });
 * ```
 */
export interface QueryChannel<Req, Res> {
  /** The channel (or pattern) this handle works on. */
  readonly channel: string;
  /**
   * Encodes `query.value`, sends it (see {@link QueriesClient.send}) and decodes the answer. A
   * refused value is a ValidationError naming `value` (nothing sent); an answer that does not
   * decode resolves with its `decodeError`.
   */
  send(query: TypedQuery<Req>, options?: RequestOptions): Promise<TypedQueryResponse<Res>>;
  /** Raw subscription (see {@link QueriesClient.subscribe}) with every query decoded; answer with {@link QueryChannel.reply}. */
  subscribe(subscription?: Omit<QueriesSubscription, 'channel'>): IterableObservable<TypedQueryReceive<Req>>;
  /** Answers a received query with a typed value (see {@link QueriesClient.reply}); a refused value is a ValidationError naming `value`. */
  reply(reply: TypedQueryReply<Res>, options?: CallOptions): Promise<void>;
}

/** {@link QueryChannel} through a {@link QueriesClient}, which does the work. */
class CodecQueryChannel<Req, Res> implements QueryChannel<Req, Res> {
  readonly channel: string;
  readonly #queries: QueriesOnClient;
  readonly #codec: Codec<Req>;
  readonly #responseCodec: Codec<Res>;

  constructor(queries: QueriesOnClient, options: QueryChannelOptions<Req, Res>) {
    ({ channel: this.channel, codec: this.#codec } = typedChannelConfig<Req>(options, 'queries.channel'));
    this.#responseCodec = checked('queries.channel', this.channel, () => validateCodec<Res>(options.responseCodec, 'responseCodec'));
    this.#queries = queries;
  }

  async send(query: TypedQuery<Req>, options?: RequestOptions): Promise<TypedQueryResponse<Res>> {
    const untyped = encodeTyped(query, this.#codec, { operation: 'queries.send', channel: this.channel, noun: 'query' });
    const response = await this.#queries.send({ ...untyped, channel: this.channel }, options);
    if (!response.executed) return Object.assign(response, { ok: false as const });
    // In place, not a copy: the response's text() and json() live on its prototype.
    return withDecoded(response, this.#responseCodec, response.body, { operation: 'queries.send', channel: this.channel, messageId: response.id });
  }

  subscribe(given?: Omit<QueriesSubscription, 'channel'>): IterableObservable<TypedQueryReceive<Req>> {
    // Options that are no object (5, null) are refused as the untyped call refuses them: spread,
    // they would be {} and every default would silently apply.
    const subscription = optionsObject(given, 'queries.subscribe');
    const raw = this.#queries.subscribe({ ...subscription, channel: this.channel });
    return decodeEach(raw, this.#codec, 'queries.subscribe', subscription.bufferSize);
  }

  reply(reply: TypedQueryReply<Res>, options?: CallOptions): Promise<void> {
    try {
      const untyped = encodeTyped(reply, this.#responseCodec, { operation: 'queries.reply', channel: this.channel, noun: 'reply' });
      return this.#queries.reply(untyped, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** How `queryResponder(channel, …)` serves here: on this channel, every query decoded, every answer encoded. */
  serveThrough(options: Omit<HandleOptions<QueryReceive>, 'channel'>, handler: TypedQueryHandler<Req, Res>): ServeThrough<QueryReceive> {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new ValidationError({ message: 'invalid options: must be an object', operation: 'queries.handle', channel: this.channel, field: 'options' });
    }
    const codec = this.#codec;
    const responseCodec = this.#responseCodec;
    return {
      engine: this.#queries.engine,
      options: { ...options, channel: this.channel },
      handler: async (query, context): Promise<QueryHandlerResult> => {
        const decoded = decodeReceived(query, codec, 'queries.handle');
        // Thrown: the responder answers executed:false with its message and reports it.
        if (!decoded.ok) throw decoded.decodeError;
        const { value, ...rest } = await handler(decoded, context);
        return { ...rest, body: encodeValue(responseCodec, value, { operation: 'queries.handle', channel: query.channel }) };
      },
    };
  }
}

/**
 * A typed queries channel: requests and answers as values, through a codec each. Attach it to a
 * client or to a {@link QueriesClient}. Nothing of it is bundled unless it is imported.
 *
 * @example
 * ```ts
 * import { KubemqClient, jsonCodec } from '@kubemq/core';
 * import { queryChannel, queryResponder } from '@kubemq/rpc';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000' });
 * const stock = queryChannel(client, {
 *   channel: 'inventory.stock',
 *   codec: jsonCodec<{ sku: string }>(),
 *   responseCodec: jsonCodec<{ available: number }>(),
 * });
 * await using responder = queryResponder(stock, {}, async (q) => ({ value: { available: q.value.sku === 'sku-1' ? 3 : 0 } }));
 * await responder.ready();
 * const res = await stock.send({ value: { sku: 'sku-1' }, timeoutMs: 5000 });
 * if (res.ok) console.log(res.value.available);
 * ```
 */
export function queryChannel<Req, Res>(client: KubemqClient | QueriesClient, options: QueryChannelOptions<Req, Res>): QueryChannel<Req, Res> {
  const queries = patternClientFor(client, (c): c is QueriesOnClient => c instanceof QueriesOnClient, (c) => new QueriesOnClient(c), 'queries.channel');
  const channel = new CodecQueryChannel(queries, options);
  registerServeThrough<QueryReceive>(channel, (o, handler: TypedQueryHandler<Req, Res>) => channel.serveThrough(o, handler));
  return channel;
}
