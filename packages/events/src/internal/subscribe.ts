import type { IterableObservable } from '@kubemq/core';
import {
  eventProcessOperation,
  iterableObservable,
  tracedDeliveries,
  recoverable,
  serverStream$,
  type ClientInternals,
} from '@kubemq/core/internal';
import { SUBSCRIBE_TO_EVENTS } from './methods.js';
import { toEventReceive } from './receive.js';
import { buildEventsSubscribe } from './subscribe-request.js';
import type { EventReceive, EventsSubscription } from './types.js';

/**
 * An events subscription: validated up front (throws before anything is sent), cold, and re-opened
 * after a break once the client is ready again.
 */
export function subscribeEvents(internals: ClientInternals, options: EventsSubscription): IterableObservable<EventReceive> {
  const plan = buildEventsSubscribe(options, internals.clientId);
  const ctx = { operation: 'events.subscribe', channel: plan.request.Channel };
  const source = recoverable(
    internals,
    () => serverStream$(internals, SUBSCRIBE_TO_EVENTS, plan.request, ctx, toEventReceive),
    { ...ctx, completeIsBreak: true },
  ).pipe(tracedDeliveries(internals.telemetry, (event) => eventProcessOperation('events', event, plan.request.Group)));
  return iterableObservable(source, plan.bufferSize === undefined ? {} : { bufferSize: plan.bufferSize });
}
