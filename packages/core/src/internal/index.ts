// @kubemq/core/internal: for the @kubemq/* packages only, never for applications. It follows no
// semver and may change in any release, a patch release included. It exports exactly what the
// pattern packages (and the monorepo's tests and tools) import; see INTERNAL-API.md.

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
  QueueMessage,
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
  QueuesInfo,
} from './generated/kubemq.js';
export { unaryMethod, serverStreamMethod, bidiStreamMethod, type MethodDescriptor } from './transport/method-descriptor.js';

// A client's internals, and the pattern client a function works through
// attachInternals: for test fakes of a client (a real one is made by KubemqClient.connect()).
export { attachInternals, clientInternals, type PackageId } from './connection/internals-key.js';
export { patternClientFor } from './connection/pattern-client.js';
export type { ClientInternals, Drainable, StreamObserver, StreamCall, BidiCall } from './connection/client-internals.js';

// Recovery
export { recoverable } from './recovery/recoverable.js';

// rxjs, piece by piece (never its barrel, which loads all of it), and the operators the patterns apply
export { observable, defer, filter, flatten, map, tap } from './rx.js';
export { Broadcast, ValueBroadcast } from './broadcast.js';

// Subscriptions as Observables and async iterables (the IterableObservable type is public: `@kubemq/core`)
export { iterableObservable, pipeIterable, DEFAULT_ITERATOR_BUFFER_SIZE, type LoopPace } from './streams/iterable-observable.js';

// The one send-stream machinery (events, events store, queues upstream): each brings its AnswerMatcher
export {
  StreamSender,
  type AnswerMatcher,
  type SendEntry,
  type StreamEnding,
  type StreamSenderOptions,
  type SendBounds,
  type CloseBounds,
} from './streams/stream-sender.js';

// Promise plumbing: deferreds, deadlines, bounded waits, abort listeners, time limits
export { callQuietly, deferred, deadline, within, onAbort, timeLimit, Deferred, type DeadlineOptions, type WaitOutcome, type CutReason } from './util/async.js';

// Shared by @kubemq/events and @kubemq/events-store (same wire: Event, SendEventsStream,
// SubscribeToEvents); each keeps its own method descriptors so a bundle holds only its paths.
export { buildWireEvent, requireBuiltEventFits, requireEventFits } from './events-wire/build-event.js';
export { checked, withOperation } from './validation/fail.js';
export { sendEventOnce, validateSendMode } from './events-wire/send-event.js';
export { DEFAULT_MAX_QUEUED, readEventStreamOptions } from './events-wire/stream-options.js';
export { serverStream$ } from './events-wire/server-stream.js';
export { eventSendOperation, eventProcessOperation } from './events-wire/telemetry.js';

// Errors
export { mapError, brokerError, refusedSizeLimit } from './errors/map-error.js';
export { isEmptyQueueError } from './errors/broker-errors.js';

// Validation (throws ValidationError naming the field; nothing is sent)
export { validateChannel, validateGroup, type ChannelPattern } from './validation/channel.js';
export { validateBody, validateTags, validateMetadata, requireNonEmptyMessage, tagsTextLength, deliveryBound, requireEncodedFits } from './validation/message.js';
export { validatePositiveInt, validateSignal } from './validation/numbers.js';
export { requireIdText } from './validation/text-rules.js';
export { requireKnownKeys } from './validation/known-keys.js';
export { optionsObject, requireObject } from './validation/options-object.js';
export { closedOptions, type ClosedOptionsRules } from './validation/closed-options.js';
export { readCallOptions, type ReadCallOptions } from './validation/call-options.js';

// Conversions
export { MAX_INT32, msToSeconds, nanosToDate, dateToNanos } from './conversions/time.js';
export { newId } from './conversions/id.js';

// A SendRequest's gRPC deadline (rpc's commands and queries; core's channel management uses it too)
export { requestDeadlineMs } from './util/request-deadline.js';

// Telemetry: spans around operations and deliveries (no-ops when the client has none)
export { traced, tracedAfter, tracedDeliveries } from './telemetry/traced.js';
export { tracedSend } from './telemetry/traced-send.js';

// Typed payloads: codec application for the typed channels
export { validateCodec, encodeValue, withDecoded } from './codecs/typed-body.js';
export { typedChannelConfig, encodeTyped, sendTyped, decodeReceived, decodeEach } from './codecs/typed-channel.js';
