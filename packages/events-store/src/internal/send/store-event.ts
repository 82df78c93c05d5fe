import type { CallOptions } from '@kubemq/core';
import {
  eventSendOperation,
  readCallOptions,
  requireBuiltEventFits,
  tracedSend,
  withOperation,
  type ClientInternals,
  type Event as WireEvent,
} from '@kubemq/core/internal';
import type { EventStore, EventStoreSendResult } from '../messages.js';
import { callTimeoutMs } from '../timeouts.js';
import { buildEventStore } from './build-event.js';

/** A send's validated bounds: its deadline and its abort signal. */
export interface SendBounds {
  timeoutMs: number;
  signal: AbortSignal | undefined;
}

/**
 * One `send()`, whichever way it reaches the broker: the event and the options are validated first
 * (a ValidationError rejects and nothing is sent), then `deliver` gets the wire event and the
 * call's bounds inside a send span (its size checked again once the trace context is in its tags).
 */
export function storeEvent(
  internals: ClientInternals,
  operation: string,
  event: EventStore,
  given: CallOptions | undefined,
  deliver: (wire: WireEvent, bounds: SendBounds) => Promise<EventStoreSendResult>,
): Promise<EventStoreSendResult> {
  let wire: WireEvent;
  let bounds: SendBounds;
  const maxBodyBytes = internals.options.maxMessageBytes;
  try {
    const options = readCallOptions(given, operation);
    wire = buildEventStore(event, internals.clientId, operation, maxBodyBytes);
    bounds = { signal: options.signal, timeoutMs: callTimeoutMs(internals, options.timeoutMs) };
  } catch (err) {
    return Promise.reject(withOperation(err, operation, event?.channel));
  }
  return tracedSend(
    internals.telemetry,
    () => eventSendOperation('events_store', wire),
    () => requireBuiltEventFits(wire, { operation, pattern: 'events_store', maxBodyBytes }),
    () => deliver(wire, bounds),
  );
}
