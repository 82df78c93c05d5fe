// @kubemq/core/internal: what the @kubemq/* pattern packages build on (see INTERNAL-API.md).
// Unstable: only @kubemq/* packages may import it; it may change in any minor version.

// Wire contract: the generated message codecs (and their TS types), one by one.
export {
  Event,
  Result,
  EventReceive,
  Subscribe,
  Subscribe_SubscribeType,
  Subscribe_EventsStoreType,
  Request,
  Request_RequestType,
  Response,
  Empty,
  PingResult,
  QueueMessage,
  QueueMessageAttributes,
  QueueMessagePolicy,
  QueueMessagesBatchRequest,
  QueueMessagesBatchResponse,
  SendQueueMessageResult,
  ReceiveQueueMessagesRequest,
  ReceiveQueueMessagesResponse,
  AckAllQueueMessagesRequest,
  AckAllQueueMessagesResponse,
  QueuesDownstreamRequest,
  QueuesDownstreamResponse,
  QueuesDownstreamRequestType,
  QueuesUpstreamRequest,
  QueuesUpstreamResponse,
  QueuesInfoRequest,
  QueuesInfoResponse,
  QueueInfo,
  QueuesInfo,
  StreamQueueMessagesRequest,
  StreamQueueMessagesResponse,
  StreamRequestType,
} from './generated/kubemq.js';
export {
  unaryMethod,
  serverStreamMethod,
  bidiStreamMethod,
  type MessageCodec,
  type MethodDescriptor,
  type MethodKind,
} from './transport/method-descriptor.js';

// A client's internals
export { clientInternals } from './connection/internals-key.js';
export type {
  CallContext,
  ClientInternals,
  StreamObserver,
  StreamCall,
  BidiCall,
  Drainable,
} from './connection/client-internals.js';

// Recovery
export { recoverable, type RecoverableOptions } from './recovery/recoverable.js';
export { computeBackoff, DEFAULT_RECONNECT_POLICY, type ReconnectPolicy } from './recovery/backoff.js';
export { BoundedBuffer } from './recovery/bounded-buffer.js';

// Subscriptions as Observables and async iterables
export {
  iterableObservable,
  IteratorOverflowError,
  DEFAULT_ITERATOR_BUFFER_SIZE,
  type IterableObservable,
  type IterableOptions,
} from './streams/iterable-observable.js';

// Shared by @kubemq/events and @kubemq/events-store (same wire: Event, SendEventsStream,
// SubscribeToEvents); each keeps its own method descriptors so a bundle holds only its paths.
export {
  buildWireEvent,
  validateEventId,
  toBuffer,
  withOperation,
  type OutgoingEvent,
  type WireEventOptions,
} from './events-wire/build-event.js';
export { sendEventOnce, validateSendMode, type EventSendMode } from './events-wire/send-event.js';
export { serverStream$ } from './events-wire/server-stream.js';
export { openSendCall, type SendCallHandlers } from './events-wire/send-call.js';
export { sendPending, within, type SendPending, type SendPendingOptions } from './events-wire/send-pending.js';
export { deferred, type Deferred } from './events-wire/deferred.js';
export { eventSendOperation, eventProcessOperation } from './events-wire/telemetry.js';

// Errors
export { mapError, brokerError, type CallOutcome, type ErrorContext } from './errors/map-error.js';
export { isEmptyQueueError } from './errors/broker-errors.js';

// Validation (throws ValidationError naming the field; nothing is sent)
export { validateChannel, validateGroup, type ChannelPattern, type ChannelRules, type GroupRules } from './validation/channel.js';
export { validateClientId } from './validation/client-id.js';
export { validateBody, validateTags, validateMetadata, requireNonEmptyMessage } from './validation/message.js';
export { validatePositiveInt, validateSignal, type NumberRules } from './validation/numbers.js';

// Conversions
export { msToSeconds, nanosToDate, dateToNanos, secondsToDate } from './conversions/time.js';
export { newId } from './conversions/id.js';

// Telemetry: spans around operations and deliveries (no-ops when the client has none)
export { traced, tracedAfter, tracedDeliveries } from './telemetry/traced.js';

// Typed payloads: codec application for the typed channels
export { validateCodec, encodeValue, decodeBody, withDecoded } from './codecs/typed-body.js';
export { typedChannelConfig, encodeTyped, sendTyped, decodeReceived, decodeEach, patternClientFor, type TypedChannelConfig, type TypedMessagePlace } from './codecs/typed-channel.js';
