// @kubemq/core: the client, its connection, errors and the shared message types.
// Explicit named exports only: this list is the public API.

export { KubemqClient, type CallOptions } from './client/kubemq-client.js';
export type {
  ClientOptions,
  CredentialProvider,
  KeepaliveOptions,
  ResolvedClientOptions,
  TlsOptions,
} from './client/options.js';
export type { ConnectionState } from './client/connection-state.js';
export type { ServerInfo } from './client/server-info.js';
export type { Logger, LogFields, LogLevel } from './client/logger.js';
export type { ReconnectPolicy } from './internal/recovery/backoff.js';
export { ChannelsClient, CHANNEL_MANAGEMENT_CHANNEL, type PurgeQueueOptions } from './channels/channels-client.js';
export type { ChannelInfo, ChannelStats, ChannelType } from './channels/channel-info.js';
export { bodyText, bodyJson, type MessageBody, type Tags } from './client/body.js';

export { ErrorCode } from './internal/errors/error-codes.js';
export {
  KubemqError,
  ValidationError,
  TimeoutError,
  ConnectionError,
  AuthenticationError,
  type KubemqErrorOptions,
} from './internal/errors/kubemq-error.js';
