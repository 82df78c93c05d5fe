/**
 * `@kubemq/rpc`: KubeMQ commands and queries (request/reply) on a `KubemqClient` from
 * `@kubemq/core`. Attach with {@link commands} or {@link queries}; nothing happens at import time.
 *
 * @packageDocumentation
 */
export { CommandsClient, commands } from './internal/client/commands-client.js';
export { QueriesClient, queries } from './internal/client/queries-client.js';
export { DEFAULT_REQUEST_TIMEOUT_MS } from './internal/client/timeouts.js';
export { DEFAULT_HANDLER_CONCURRENCY, DEFAULT_READY_TIMEOUT_MS } from './internal/serve/responder.js';
export { READINESS_PROBE_TAG, isReadinessProbe } from './internal/serve/probe-tags.js';
export type {
  Command,
  CommandResponse,
  CommandReceive,
  CommandReply,
  CommandHandlerResult,
  CommandHandler,
} from './internal/types/command.js';
export type { Query, QueryResponse, QueryReceive, QueryReply, QueryHandlerResult, QueryHandler } from './internal/types/query.js';
export type { SendOptions, ReplyOptions, SubscribeOptions, HandleOptions, ReadyOptions, Responder } from './internal/types/common.js';
