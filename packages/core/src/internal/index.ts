// @kubemq/core/internal: what the @kubemq/* pattern packages build on (see INTERNAL-API.md).
// Unstable: only @kubemq/* packages may import it; it may change in any minor version.

export {
  iterableObservable,
  IteratorOverflowError,
  DEFAULT_ITERATOR_BUFFER_SIZE,
  type IterableObservable,
  type IterableOptions,
} from './streams/iterable-observable.js';

// Errors
export { mapError, brokerError, type ErrorContext } from './errors/map-error.js';
export { isEmptyQueueError } from './errors/broker-errors.js';

// Validation (throws ValidationError naming the field; nothing is sent)
export { validateChannel, validateGroup, type ChannelPattern, type ChannelRules, type GroupRules } from './validation/channel.js';
export { validateClientId } from './validation/client-id.js';
export { validateBody, validateTags, validateMetadata, requireNonEmptyMessage } from './validation/message.js';
export { validatePositiveInt, validateSignal, type NumberRules } from './validation/numbers.js';

// Conversions
export { msToSeconds, nanosToDate, dateToNanos, secondsToDate } from './conversions/time.js';
export { newId } from './conversions/id.js';

// Recovery
export { computeBackoff, DEFAULT_RECONNECT_POLICY, type ReconnectPolicy } from './recovery/backoff.js';
export { BoundedBuffer } from './recovery/bounded-buffer.js';
