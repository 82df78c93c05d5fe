import { buildWireEvent, type Event as WireEvent } from '@kubemq/core/internal';
import type { EventStore } from '../messages.js';

/**
 * Validates an outgoing event and builds its wire form (`Store=true`) with core's shared builder.
 * Throws a ValidationError naming the field; nothing is sent then. The store's channel rules also
 * reject the names it would drop silently after answering `Sent:true` (docs/broker-behaviour.md §2.2, §3).
 */
export function buildEventStore(event: EventStore, clientId: string, operation = 'eventsStore.send', maxBodyBytes?: number): WireEvent {
  return buildWireEvent(event, clientId, { operation, pattern: 'events_store', maxBodyBytes });
}
