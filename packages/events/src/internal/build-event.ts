import { buildWireEvent, type Event as WireEvent } from '@kubemq/core/internal';
import type { Event } from './types.js';

/**
 * Validates an outgoing event and builds its wire form (`Store=false`) with core's shared builder.
 * Throws a ValidationError naming the field; nothing is sent then.
 */
export function buildEvent(event: Event, clientId: string, operation = 'events.send', maxBodyBytes?: number): WireEvent {
  return buildWireEvent(event, clientId, { operation, pattern: 'events', maxBodyBytes });
}
