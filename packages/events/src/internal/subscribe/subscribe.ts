import type { Observable } from 'rxjs';
import { KubemqError, type IterableObservable } from '@kubemq/core';
import {
  eventProcessOperation,
  filter,
  iterableObservable,
  recoverable,
  refusedSizeLimit,
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
  /** An event over the client's `maxMessageBytes` ended the stream: it is lost, and the stream re-opens. */
  refused?(error: KubemqError): void;
}

/**
 * Every event the subscription receives, readiness probes included: validated up front, cold, and
 * re-opened after a break once the client is ready again (core's recoverable()).
 */
export function receivedEvents(internals: ClientInternals, plan: EventsSubscribePlan, operation: string, hooks: StreamHooks = {}): Observable<EventReceive> {
  const ctx = { operation, channel: plan.request.Channel };
  // grpc-js ends the whole stream for one event over the client's maxMessageBytes, which no retry
  // brings back: re-opened, or one oversized event from any publisher would end the subscription.
  const limit = internals.options.maxMessageBytes;
  const refusedHere = (err: KubemqError) => refusedSizeLimit(err) === limit;
  return recoverable(
    internals,
    (attempt, established) => {
      hooks.opened?.(attempt);
      return serverStream$(internals, SUBSCRIBE_TO_EVENTS, plan.request, ctx, toEventReceive).pipe(
        tap({
          error: (err: unknown) => {
            if (KubemqError.isKubemqError(err) && refusedHere(err)) {
              // The broker routed an event here, so the stream worked: its re-open does not count
              // toward the reconnect policy's maxAttempts, however many such events come.
              established();
              hooks.refused?.(
                new KubemqError({
                  code: 'RESOURCE_EXHAUSTED',
                  operation,
                  channel: ctx.channel,
                  message: `${operation} on channel "${ctx.channel}": an event over the client's maxMessageBytes (${limit} bytes) was refused and is lost; the subscription is re-opened`,
                  cause: err,
                }),
              );
            }
            hooks.lost?.();
          },
          complete: () => hooks.lost?.(),
        }),
      );
    },
    { ...ctx, completeIsBreak: true, isRetryable: (err) => err.retryable || refusedHere(err) },
  );
}

/**
 * An events subscription (`events(client).subscribe()`): throws a ValidationError before anything
 * is sent, drops readiness probes, traces each delivery to a subscriber's callback, and reads with
 * `for await` too (untraced: a loop handles an event after it was buffered).
 */
export function subscribeEvents(internals: ClientInternals, options: EventsSubscription): IterableObservable<EventReceive> {
  const plan = buildEventsSubscribe(options, internals.clientId);
  // A subscription has no onError: a lost oversized event is a warning in the client's logger.
  const refused = (error: KubemqError) => internals.logger.warn(error.message, { channel: plan.request.Channel, code: error.code });
  const events = receivedEvents(internals, plan, 'events.subscribe', { refused }).pipe(filter((event) => !isProbeTags(event.tags)));
  const traced = events.pipe(tracedDeliveries(internals.telemetry, (event) => eventProcessOperation('events', event, plan.request.Group)));
  return iterableObservable(traced, { iterated: events, signal: plan.signal, ...(plan.bufferSize !== undefined && { bufferSize: plan.bufferSize }) });
}
