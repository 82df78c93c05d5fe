import { ValidationError } from '@kubemq/core';
import { buildWireEvent, type Event as WireEvent } from '@kubemq/core/internal';
import { RESERVED_TAG_PREFIX } from '../readiness/probe-tags.js';
import type { Event } from '../types.js';

/**
 * Validates an outgoing event and builds its wire form (`Store=false`) with core's shared builder.
 * Throws a ValidationError naming the field; nothing is sent then. Tags starting with
 * `x-kubemq-events-` are refused: subscribers of this package would drop such an event as a
 * readiness probe.
 */
export function buildEvent(event: Event, clientId: string, operation = 'events.send', maxBodyBytes?: number): WireEvent {
  const wire = buildWireEvent(event, clientId, { operation, pattern: 'events', maxBodyBytes });
  for (const key in wire.Tags) {
    if (key.startsWith(RESERVED_TAG_PREFIX)) {
      throw new ValidationError({
        message: `invalid tags.${key}: tags starting with "${RESERVED_TAG_PREFIX}" are reserved for readiness probes`,
        operation,
        channel: wire.Channel,
        field: `tags.${key}`,
      });
    }
  }
  return wire;
}
