/**
 * `@kubemq/rpc`: KubeMQ commands and queries (request/reply) on a `KubemqClient` from
 * `@kubemq/core`. Attach with {@link commands} or {@link queries}; nothing happens at import time.
 *
 * @packageDocumentation
 */

/**
 * Commands: `commands(client)` sends a command and waits for one responder's "executed or not",
 * or subscribes to a channel's commands to `reply` to them (a handler: `commandResponder()`).
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { commands } from '@kubemq/rpc';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'ops' });
 * const res = await commands(client).send({ channel: 'devices.reboot', body: 'dev-1', timeoutMs: 5000 });
 * console.log(res.executed ? 'rebooted' : `refused: ${res.error}`);
 * ```
 */
export { commands, type CommandsClient } from './internal/client/commands-client.js';

/**
 * Queries: `queries(client)` asks a channel for data and waits for one responder's answer, or
 * subscribes to a channel's queries to `reply` to them (a handler: `queryResponder()`).
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { queries } from '@kubemq/rpc';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'shop' });
 * const res = await queries(client).send({ channel: 'inventory.stock', body: 'sku-1', timeoutMs: 3000 });
 * console.log(res.json<{ available: number }>().available);
 * ```
 */
export { queries, type QueriesClient } from './internal/client/queries-client.js';

/**
 * Responders: a channel served by a handler, `commandResponder(client, options, handler)` and
 * `queryResponder(client, options, handler)` (or through a typed channel). Functions, not methods of
 * the pattern clients: an app that only sends bundles no responder.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { commandResponder, commands } from '@kubemq/rpc';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'agent' });
 * await using responder = commandResponder(client, { channel: 'devices.reboot' }, (cmd) => console.log('reboot', cmd.text()));
 * await responder.ready(); // commands sent from now on reach it
 * const res = await commands(client).send({ channel: 'devices.reboot', body: 'dev-1', timeoutMs: 5000 });
 * console.log(res.executed);
 * ```
 */
export { commandResponder, queryResponder } from './internal/serve/responders.js';

/**
 * Defaults: how many requests a responder's handler runs at once, and how long `Responder.ready()`
 * probes. (A request's timeout defaults to the client's `defaultTimeoutMs`.)
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { commandResponder, DEFAULT_HANDLER_CONCURRENCY, type CommandHandler } from '@kubemq/rpc';
 *
 * declare const run: CommandHandler;
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'jobs' });
 * const responder = commandResponder(client, { channel: 'jobs', concurrency: DEFAULT_HANDLER_CONCURRENCY * 2 }, run);
 * ```
 */
export { DEFAULT_HANDLER_CONCURRENCY, DEFAULT_READY_TIMEOUT_MS } from './internal/serve/defaults.js';

/**
 * Readiness probes: the tag that marks them, and a test for raw subscribers, which see the probes
 * that responders on the same channel send from `ready()`.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { commands, isRpcReadinessProbe } from '@kubemq/rpc';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'jobs' });
 * for await (const cmd of commands(client).subscribe({ channel: 'jobs' })) {
 *   if (isRpcReadinessProbe(cmd)) continue;
 *   await commands(client).reply({ requestId: cmd.id, replyChannel: cmd.replyChannel });
 * }
 * ```
 */
export { RPC_READINESS_PROBE_TAG, isRpcReadinessProbe } from './internal/serve/probe-tags.js';

/**
 * Command types: what you send (`Command`), what comes back (`CommandResponse`), what a responder
 * subscribes to (`CommandsSubscription`), receives (`CommandReceive`) and answers (`CommandReply`),
 * and the handler's shape.
 *
 * @example
 * ```ts
 * import { type Command, type CommandHandler, type CommandsSubscription } from '@kubemq/rpc';
 *
 * const reboot: Command = { channel: 'devices.reboot', body: 'dev-1', tags: { by: 'ops' }, timeoutMs: 5000 };
 * const handler: CommandHandler = (cmd) => ({ tags: { device: cmd.text() } });
 * const agents: CommandsSubscription = { channel: 'devices.*', group: 'agents' };
 * ```
 */
export type {
  Command,
  CommandResponse,
  CommandReceive,
  CommandReply,
  CommandHandlerResult,
  CommandHandler,
  CommandsSubscription,
} from './internal/types/command.js';

/**
 * Query types: what you send (`Query`, with an optional `cacheKey` + `cacheTtlSeconds`), what comes
 * back (`QueryResponse`), what a responder subscribes to (`QueriesSubscription`), receives
 * (`QueryReceive`) and answers (`QueryReply`).
 *
 * @example
 * ```ts
 * import { type QueriesSubscription, type Query, type QueryHandler } from '@kubemq/rpc';
 *
 * const lookup: Query = { channel: 'inventory.stock', body: 'sku-1', cacheKey: 'stock:sku-1', cacheTtlSeconds: 60 };
 * const handler: QueryHandler = (q) => ({ body: JSON.stringify({ sku: q.text(), available: 3 }) });
 * const service: QueriesSubscription = { channel: 'inventory.>', bufferSize: 256 };
 * ```
 */
export type {
  Query,
  QueryResponse,
  QueryReceive,
  QueryReply,
  QueryHandlerResult,
  QueryHandler,
  QueriesSubscription,
} from './internal/types/query.js';

/**
 * Typed channels: a codec per channel (`jsonCodec`, `textCodec`, `bytesCodec` from
 * `@kubemq/core`, or your own) for commands, and a request and a response codec for queries.
 * Handlers get decoded values; a request whose body does not decode is answered
 * `executed: false` and reported to `onError`, and never reaches the handler.
 *
 * @example
 * ```ts
 * import { KubemqClient, jsonCodec } from '@kubemq/core';
 * import { queryChannel } from '@kubemq/rpc';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'app' });
 * const prices = queryChannel(client, { channel: 'prices', codec: jsonCodec<{ sku: string }>(), responseCodec: jsonCodec<number>() });
 * const answer = await prices.send({ value: { sku: 'sku-1' }, timeoutMs: 2000 });
 * if (answer.ok) console.log(answer.value);
 * ```
 */
export {
  commandChannel,
  type CommandChannel,
  type CommandChannelOptions,
  type TypedCommand,
  type TypedCommandReceive,
  type DecodedCommand,
  type TypedCommandHandler,
} from './internal/channel/command-channel.js';
export {
  queryChannel,
  type QueryChannel,
  type QueryChannelOptions,
  type TypedQuery,
  type TypedQueryResponse,
  type TypedQueryReceive,
  type TypedQueryReply,
  type DecodedQuery,
  type TypedQueryHandler,
  type TypedQueryHandlerResult,
} from './internal/channel/query-channel.js';

/**
 * Options of `send()`: only a `signal`, since how long the broker waits for a responder is the
 * message's own `timeoutMs`. (`reply()` and `Responder.ready()` take core's `CallOptions`.)
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { commands, type RequestOptions } from '@kubemq/rpc';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'ops' });
 * const options: RequestOptions = { signal: AbortSignal.timeout(10_000) };
 * await commands(client).send({ channel: 'devices.reboot', body: 'dev-1', timeoutMs: 5000 }, options);
 * ```
 */
export type { RequestOptions } from './internal/types/request-options.js';

/**
 * A running responder: what `commandResponder()` and `queryResponder()` take and return. Stop it
 * with `stop()`, its `signal`, `await using` or the client's close; `done` settles when it has
 * stopped; `stats` says what it has done.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { commandResponder, type CommandHandler, type HandleOptions, type Responder } from '@kubemq/rpc';
 *
 * declare const run: CommandHandler;
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'jobs' });
 * const shutdown = new AbortController();
 * const options: HandleOptions = { channel: 'jobs.*', group: 'workers', concurrency: 8, signal: shutdown.signal };
 * const responder: Responder = commandResponder(client, options, run);
 * await responder.ready();
 * shutdown.abort(); // or: await responder.stop()
 * await responder.done;
 * console.log(`${responder.stats.handled} jobs run, ${responder.stats.handlerErrors} failed`);
 * ```
 */
export type { HandleOptions, Responder, ResponderStats } from './internal/types/responder.js';
export type { HandlerContext } from './internal/types/handler-context.js';
