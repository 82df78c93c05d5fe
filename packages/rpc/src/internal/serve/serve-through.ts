import type { HandlerContext } from '../types/handler-context.js';
import type { CommandHandlerResult, CommandReceive } from '../types/command.js';
import type { QueryHandlerResult, QueryReceive } from '../types/query.js';
import type { HandleOptions } from '../types/responder.js';
import type { RequestsEngine } from '../client/requests-engine.js';

/**
 * The key under which a typed channel tells `commandResponder()` / `queryResponder()` how to serve
 * through it, so a responder needs no typed-channel code and a typed app that never serves bundles
 * no responder.
 */
export const SERVE_THROUGH: unique symbol = Symbol('kubemq.rpc.serveThrough');

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

/** Something a responder can serve through (a typed channel), given the options without a channel and the typed handler. */
export interface ServeTarget<R extends CommandReceive | QueryReceive> {
  [SERVE_THROUGH](options: Omit<HandleOptions<R>, 'channel'>, handler: never): ServeThrough<R>;
}

export function isServeTarget<R extends CommandReceive | QueryReceive>(value: unknown): value is ServeTarget<R> {
  return typeof value === 'object' && value !== null && SERVE_THROUGH in value;
}
