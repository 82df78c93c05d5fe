import type { KubemqClient } from '@kubemq/core';
import { checked, patternClientFor, requireKnownKeys } from '@kubemq/core/internal';
import type { CommandChannel, TypedCommandHandler } from '../channel/command-channel.js';
import type { QueryChannel, TypedQueryHandler } from '../channel/query-channel.js';
import { CommandsOnClient, type CommandsClient } from '../client/commands-client.js';
import { QueriesOnClient, type QueriesClient } from '../client/queries-client.js';
import { toCommandReceive, toQueryReceive } from '../convert/received.js';
import type { CommandHandler, CommandReceive } from '../types/command.js';
import type { QueryHandler, QueryReceive } from '../types/query.js';
import type { HandleOptions, Responder } from '../types/responder.js';
import { HANDLE_KEYS, SUBSCRIPTION_RENAMED } from '../build/subscribe.js';
import { RequestResponder } from './responder.js';
import { serveThroughOf, type UntypedHandler } from './serve-through.js';

/**
 * Serves a commands channel with a handler and replies for it: returning normally means executed,
 * throwing means `executed: false` with the error's message. At most `concurrency` requests run at
 * once (default 64). Runs until `stop()`; `await responder.ready()` proves that commands reach it.
 *
 * Serve through a client, a commands client, or a typed channel (`commandChannel()`: the channel
 * is the channel's, and the handler gets every command decoded; one that does not decode is
 * answered `executed: false` and reported to `onError`). A function, not a method of the commands
 * client: an app that only sends commands bundles no responder.
 *
 * @throws ValidationError for bad options, a handler that is not a function, or a first argument
 *   that is none of the above.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { commandResponder, commands } from '@kubemq/rpc';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'agent' });
 * await using responder = commandResponder(client, { channel: 'devices.reboot' }, (cmd) => console.log('reboot', cmd.text()));
 * await responder.ready();
 * const res = await commands(client).send({ channel: 'devices.reboot', body: 'dev-1', timeoutMs: 5000 });
 * ```
 */
export function commandResponder(client: KubemqClient | CommandsClient, options: HandleOptions<CommandReceive>, handler: CommandHandler): Responder;
/**
 * A responder on a typed channel (`commandChannel()`): its channel, every command decoded for the
 * handler (one that does not decode is answered `executed: false`). The options take no `channel`.
 */
export function commandResponder<T>(
  channel: CommandChannel<T>,
  options: Omit<HandleOptions<CommandReceive>, 'channel'>,
  handler: TypedCommandHandler<T>,
): Responder;
export function commandResponder(
  target: KubemqClient | CommandsClient | CommandChannel<unknown>,
  options: HandleOptions<CommandReceive> | Omit<HandleOptions<CommandReceive>, 'channel'>,
  handler: CommandHandler | TypedCommandHandler<unknown>,
): Responder {
  const typed = serveThroughOf<CommandReceive>(target);
  if (typed) {
    const through = typed(options, handler as never);
    requireHandleKeys(through.options, 'commands.handle');
    return new RequestResponder(through.engine, through.options, through.handler, toCommandReceive);
  }
  const commands = patternClientFor(target, (c): c is CommandsOnClient => c instanceof CommandsOnClient, (c) => new CommandsOnClient(c), 'commands.handle');
  requireHandleKeys(options, 'commands.handle');
  return new RequestResponder(commands.engine, options as HandleOptions<CommandReceive>, handler as UntypedHandler<CommandReceive>, toCommandReceive);
}

/**
 * Serves a queries channel with a handler and replies for it with what the handler returns
 * (`body`, `metadata`, `tags`); throwing means `executed: false` with the error's message. At most
 * `concurrency` requests run at once (default 64). Runs until `stop()`; `await responder.ready()`
 * proves that queries reach it.
 *
 * Serve through a client, a queries client, or a typed channel (`queryChannel()`: the handler gets
 * every query decoded and returns a `value` the channel encodes). A function, not a method of the
 * queries client: an app that only sends queries bundles no responder.
 *
 * @throws ValidationError for bad options, a handler that is not a function, or a first argument
 *   that is none of the above.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { queries, queryResponder } from '@kubemq/rpc';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'shop' });
 * await using responder = queryResponder(client, { channel: 'inventory.stock' }, (q) => ({ body: JSON.stringify({ sku: q.text(), available: 3 }) }));
 * await responder.ready();
 * const res = await queries(client).send({ channel: 'inventory.stock', body: 'sku-1', timeoutMs: 5000 });
 * ```
 */
export function queryResponder(client: KubemqClient | QueriesClient, options: HandleOptions<QueryReceive>, handler: QueryHandler): Responder;
/**
 * A responder on a typed channel (`queryChannel()`): its channel, every query decoded for the
 * handler, and the `value` it returns encoded (a query that does not decode, or a value the
 * response codec refuses, is answered `executed: false`). The options take no `channel`.
 */
export function queryResponder<Req, Res>(
  channel: QueryChannel<Req, Res>,
  options: Omit<HandleOptions<QueryReceive>, 'channel'>,
  handler: TypedQueryHandler<Req, Res>,
): Responder;
export function queryResponder(
  target: KubemqClient | QueriesClient | QueryChannel<unknown, unknown>,
  options: HandleOptions<QueryReceive> | Omit<HandleOptions<QueryReceive>, 'channel'>,
  handler: QueryHandler | TypedQueryHandler<unknown, unknown>,
): Responder {
  const typed = serveThroughOf<QueryReceive>(target);
  if (typed) {
    const through = typed(options, handler as never);
    requireHandleKeys(through.options, 'queries.handle');
    return new RequestResponder(through.engine, through.options, through.handler, toQueryReceive);
  }
  const queries = patternClientFor(target, (c): c is QueriesOnClient => c instanceof QueriesOnClient, (c) => new QueriesOnClient(c), 'queries.handle');
  requireHandleKeys(options, 'queries.handle');
  return new RequestResponder(queries.engine, options as HandleOptions<QueryReceive>, handler as UntypedHandler<QueryReceive>, toQueryReceive);
}

/** A key a responder does not take is refused, not ignored (options that are no object: the responder's own error). */
function requireHandleKeys(options: object, operation: string): void {
  if (typeof options !== 'object' || options === null) return;
  checked(operation, (options as { channel?: unknown }).channel, () => requireKnownKeys(options, HANDLE_KEYS, '', SUBSCRIPTION_RENAMED));
}
