import type { RequestsEngine } from '../client/requests-engine.js';
import type { CommandHandlerResult, CommandReceive } from '../types/command.js';
import type { HandlerContext } from '../types/handler-context.js';
import type { QueryHandlerResult, QueryReceive } from '../types/query.js';
import type { HandleOptions } from '../types/responder.js';

/** An untyped handler, as the responder runs it. */
export type UntypedHandler<R> = (
  request: R,
  context: HandlerContext,
) => CommandHandlerResult | QueryHandlerResult | void | Promise<CommandHandlerResult | QueryHandlerResult | void>;

/** What a typed channel hands a responder: its engine, the options with its channel, a handler that decodes (and encodes). */
export interface ServeThrough<R extends CommandReceive | QueryReceive> {
  engine: RequestsEngine;
  options: HandleOptions<R>;
  handler: UntypedHandler<R>;
}

/** Given the options without a channel and the typed handler: how a responder serves through a typed channel. */
type Through<R extends CommandReceive | QueryReceive> = (options: Omit<HandleOptions<R>, 'channel'>, handler: never) => ServeThrough<R>;

/**
 * How `commandResponder()` / `queryResponder()` serve through each typed channel, filled by
 * `commandChannel()` / `queryChannel()`: a responder needs no typed-channel code, and a typed app
 * that never serves bundles no responder.
 */
const throughs = new WeakMap<object, unknown>();

export function registerServeThrough<R extends CommandReceive | QueryReceive>(channel: object, through: Through<R>): void {
  throughs.set(channel, through);
}

/** How to serve through `value` when it is a typed channel, else undefined. */
export function serveThroughOf<R extends CommandReceive | QueryReceive>(value: unknown): Through<R> | undefined {
  return typeof value === 'object' && value !== null ? (throughs.get(value) as Through<R> | undefined) : undefined;
}
