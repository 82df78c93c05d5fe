// @kubemq/core: the client, its connection, errors and the shared message types.
// Explicit named exports only: this list is the public API.

export { KubemqClient } from './client/kubemq-client.js';
export type { CallOptions } from './client/call-options.js';
export type { ClientOptions, KeepaliveOptions, LinkCheckOptions, TlsOptions } from './client/options.js';
// The environment (`KUBEMQ_*`) as options: a function, so an app configured in code does not bundle it.
export { clientOptionsFromEnv } from './client/options-from-env.js';
// Expiring tokens: an optional feature, so a function (an app that never refreshes tokens does not bundle it).
export {
  refreshingCredentials,
  type Credentials,
  type CredentialProvider,
  type RefreshingCredentialsOptions,
} from './client/credentials.js';
export type { ConnectionState } from './client/connection-state.js';
export type { ServerInfo } from './client/server-info.js';
export type { Logger, LogFields, LogLevel } from './client/logger.js';
export { pinoLogger, type FieldsFirstLogger } from './client/logger-adapters.js';
export type { ReconnectPolicy } from './internal/recovery/backoff.js';
export { bodyText, bodyJson, type MessageBody, type Tags } from './client/body.js';

// Streams the API hands out (subscriptions, `client.state$`): Observables that `for await` reads.
export { IteratorOverflowError, type IterableObservable } from './internal/streams/iterable-observable.js';

// Channel management: an optional feature, so a function (an app that never calls it does not bundle it).
export {
  channels,
  CHANNEL_MANAGEMENT_CHANNEL,
  type ChannelsClient,
  type ChannelOptions,
  type ChannelListOptions,
} from './channels/channels-client.js';
export type { ChannelInfo, ChannelStats, ChannelType } from './channels/channel-info.js';

export { ErrorCode } from './internal/errors/error-codes.js';
export {
  KubemqError,
  ValidationError,
  TimeoutError,
  ConnectionError,
  AuthenticationError,
  DecodeError,
  type KubemqErrorOptions,
} from './internal/errors/kubemq-error.js';

// Typed payloads: codecs for the typed channels of every pattern.
export type { Codec, Decoded } from './codecs/codec.js';
export { jsonCodec, type JsonCodecOptions } from './codecs/json-codec.js';
export { textCodec } from './codecs/text-codec.js';
export { bytesCodec } from './codecs/bytes-codec.js';

// Telemetry: the seam `@kubemq/core/opentelemetry` (or your own implementation) plugs into.
export type {
  Telemetry,
  TelemetryClientInfo,
  Instrumentation,
  MessagingOperation,
  MessagingOperationType,
  MessagingPattern,
  OperationSpan,
  RetryReason,
} from './telemetry/telemetry.js';
