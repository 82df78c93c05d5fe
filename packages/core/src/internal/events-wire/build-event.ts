// Event building shared by @kubemq/events (Store=false) and @kubemq/events-store (Store=true): both
// send the same wire `Event` and the same checks apply, except the channel rules of each pattern.
import { ValidationError } from '../errors/kubemq-error.js';
import { newId } from '../conversions/id.js';
import { validateChannel } from '../validation/channel.js';
import { checked, withOperation } from '../validation/fail.js';
import { requireIdText } from '../validation/text-rules.js';
import { CLIENT_SIZE_LIMIT, deliveryBound, requireEncodedFits, requireNonEmptyMessage, tagsTextLength, validateBody, validateMetadata, validateTags } from '../validation/message.js';
import { Event as WireEventCodec } from '../generated/kubemq.js';
import type { Event as WireEvent } from '../generated/kubemq.js';

/** An outgoing event as a pattern package receives it (its public `Event` / `EventStore`). */
export interface OutgoingEvent {
  channel: string;
  body?: string | Uint8Array;
  metadata?: string;
  tags?: Record<string, string>;
  id?: string;
}

export interface WireEventOptions {
  /** The operation named by a ValidationError, e.g. 'events.send'. */
  operation: string;
  /** `events` (Store=false) or `events_store` (Store=true): the channel rules and the Store flag. */
  pattern: 'events' | 'events_store';
  /** The client's `maxMessageBytes`: a larger body is a ValidationError, not a gRPC failure. */
  maxBodyBytes?: number;
}

/**
 * Validates an outgoing event and builds its wire form. Throws a ValidationError naming the field
 * (and carrying `operation`); nothing is sent then. The checks cover every error the broker would
 * give for an event (101, 102, 107, 108, 110, 119), control characters and bodies of the wrong type;
 * for `events_store` also the names its store rejects silently after answering `Sent:true`
 * (docs/broker-behaviour.md §2.2, §3, §6).
 */
export function buildWireEvent(event: OutgoingEvent, clientId: string, options: WireEventOptions): WireEvent {
  const { operation, pattern } = options;
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new ValidationError({ message: 'invalid event: must be an object', operation, field: 'event' });
  }
  try {
    const channel = validateChannel(event.channel, { pattern, sending: true });
    const bound = eventBound(options);
    const body = validateBody(event.body, 'body', bound.bytes, bound.limit);
    const metadata = validateMetadata(event.metadata);
    requireNonEmptyMessage(body, metadata);
    const tags = validateTags(event.tags);
    const id = validateEventId(event.id);
    const wire: WireEvent = {
      EventID: id,
      ClientID: clientId,
      Channel: channel,
      Metadata: metadata,
      Body: toBuffer(body),
      Store: pattern === 'events_store',
      Tags: tags,
    };
    if (bound.bytes !== undefined) requireEventFits(wire, bound.bytes, bound.limit);
    return wire;
  } catch (err) {
    throw withOperation(err, operation, event.channel);
  }
}

/** The events store keeps an event whatever its size; a plain event must fit what the broker delivers. */
function eventBound(options: WireEventOptions): { bytes: number | undefined; limit: string } {
  return options.pattern === 'events' ? deliveryBound(options.maxBodyBytes) : { bytes: options.maxBodyBytes, limit: CLIENT_SIZE_LIMIT };
}

/**
 * Checks a built event again as buildWireEvent did, once its tags have grown (the trace context:
 * see tracedSend). Its ValidationError names `options.operation` and the channel.
 */
export function requireBuiltEventFits(wire: WireEvent, options: WireEventOptions): void {
  const { bytes, limit } = eventBound(options);
  if (bytes !== undefined) checked(options.operation, wire.Channel, () => requireEventFits(wire, bytes, limit));
}

/**
 * The event, encoded, must fit `maxBytes`, which `limit` names in the error: the client's
 * `maxMessageBytes` (its body alone is checked first), what the broker delivers, or a broker's
 * lower limit once it refused a larger message. grpc-js cancels a call whose message is over the
 * client's, and a broker ends one over its own: on a send stream either fails every send in flight.
 */
export function requireEventFits(wire: WireEvent, maxBytes: number, limit = CLIENT_SIZE_LIMIT): void {
  const text = wire.EventID.length + wire.ClientID.length + wire.Channel.length + wire.Metadata.length + tagsTextLength(wire.Tags);
  requireEncodedFits('event', wire.Body.byteLength, text, () => WireEventCodec.encode(wire).finish().length, { bytes: maxBytes, limit });
}

/** An optional id (see requireIdText); generated when absent. */
export function validateEventId(id: unknown, field = 'id'): string {
  return id === undefined ? newId() : requireIdText(id, field);
}

/** A Buffer view of the bytes (no copy): the wire codec writes Buffers. */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
