import type { Observable } from 'rxjs';
import type { IterableObservable } from '@kubemq/core';
import {
  eventProcessOperation,
  filter,
  iterableObservable,
  recoverable,
  serverStream$,
  tap,
  tracedDeliveries,
  type ClientInternals,
} from '@kubemq/core/internal';
import { SUBSCRIBE_TO_EVENTS } from '../methods.js';
import { isProbeTags } from '../readiness/probe-tags.js';
import type { EventReceive, EventsSubscription } from '../types.js';
import { toEventReceive } from './receive.js';
import { buildEventsSubscribe, type EventsSubscribePlan } from './subscribe-request.js';

/** What a subscriber learns about its stream's life (a listener's readiness follows it). */
export interface StreamHooks {
  /** A stream is being opened: `attempt` 0 first, then one more after each break. */
  opened?(attempt: number): void;
  /** The current stream broke or was ended by the broker (a re-open follows unless it was final). */
  lost?(): void;
}

/**
 * Every event the subscription receives, readiness probes included: validated up front, cold, and
 * re-opened after a break once the client is ready again (core's recoverable()).
 */
export function receivedEvents(internals: ClientInternals, plan: EventsSubscribePlan, operation: string, hooks: StreamHooks = {}): Observable<EventReceive> {
  const ctx = { operation, channel: plan.request.Channel };
  return recoverable(
    internals,
    (attempt) => {
      hooks.opened?.(attempt);
      return serverStream$(internals, SUBSCRIBE_TO_EVENTS, plan.request, ctx, toEventReceive).pipe(
        tap({ error: () => hooks.lost?.(), complete: () => hooks.lost?.() }),
      );
    },
    { ...ctx, completeIsBreak: true },
  );
}

/**
 * An events subscription (`events(client).subscribe()`): throws a ValidationError before anything
 * is sent, drops readiness probes, traces each delivery to a subscriber's callback, and reads with
 * `for await` too (untraced: a loop handles an event after it was buffered).
 */
export function subscribeEvents(internals: ClientInternals, options: EventsSubscription): IterableObservable<EventReceive> {
  const plan = buildEventsSubscribe(options, internals.clientId);
  const events = receivedEvents(internals, plan, 'events.subscribe').pipe(filter((event) => !isProbeTags(event.tags)));
  const traced = events.pipe(tracedDeliveries(internals.telemetry, (event) => eventProcessOperation('events', event, plan.request.Group)));
  return iterableObservable(traced, { iterated: events, signal: plan.signal, ...(plan.bufferSize !== undefined && { bufferSize: plan.bufferSize }) });
}
