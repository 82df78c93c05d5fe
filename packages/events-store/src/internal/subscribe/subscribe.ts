import { KubemqError, type IterableObservable } from '@kubemq/core';
import type { Observable } from 'rxjs';
import {
  defer,
  eventProcessOperation,
  filter,
  iterableObservable,
  recoverable,
  serverStream$,
  Subscribe_EventsStoreType,
  tap,
  tracedDeliveries,
  type ClientInternals,
} from '@kubemq/core/internal';
import { SUBSCRIBE_TO_EVENTS } from '../methods.js';
import { toEventStoreReceive } from './receive.js';
import { elapsedSince, readClocks, resumePosition, type ClockReading } from './wire-start-position.js';
import { planEventsStoreSubscribe, subscribeRequest } from './subscribe-request.js';
import { subscriptionClientId } from './subscription-client-id.js';
import type { EventStoreReceive } from '../messages.js';
import type { EventsStoreSubscription } from './events-store-subscription.js';

/**
 * An events-store subscription: validated up front (throws before anything is sent), cold, and
 * recoverable: each (re-)open uses a fresh ClientID and, after a break, one without a group starts
 * at the last delivered sequence + 1; anything at or below it is dropped, so the subscriber sees no
 * repeat.
 *
 * A broker that answers such a re-open with the last sequence or a lower one has lost its store (a
 * restart with a clean store, a volume that was not kept): the channel's numbering started over,
 * and what it holds now would all be dropped as repeats. The subscription then reads the channel
 * again from the position it was first given, as if nothing had been delivered. (Seen only while
 * the new store holds no more events than the subscriber had seen: past that, the broker answers
 * the resume with sequences that look like the next ones.)
 *
 * A group re-opens at the start position it was given, and its members filter nothing (each sees
 * an interleaved share). While the group's durable exists the broker ignores that position and
 * resumes the group where it was; when the durable is gone (a store lost, a channel purged), the
 * group starts as a new one would, from that position. A member's last sequence + 1 would be wrong
 * there: it counts in the old store, and the broker would skip the new store's events up to it (or,
 * past the new store's end, start at its next event), without a word.
 *
 * A lone subscriber that gets a sequence past the next one, on a stream that has already delivered
 * one, re-opens at the next one. The broker skipped it: it drops an event it could not hand to a
 * stream within 2 s (a process whose event loop was blocked that long, with a backlog on its way)
 * and counts it as delivered, so the same durable never sends it again, while a fresh one does.
 * An event retention removed is skipped the same way; the re-open then starts at the first one
 * the channel still holds, and takes it as it comes.
 *
 * A `for await` loop that falls `bufferSize` events behind (a replay arrives as fast as the broker
 * reads its store) pauses the stream and resumes it after the last event it holds, rather than
 * failing: the broker, not the client, keeps what the loop has not read yet. Not with a group: the
 * broker resumes a group from its own position and ignores the start, and it acks events as it
 * hands them to the stream, so whatever was on its way when the loop paused would be lost without
 * a word. A grouped loop fails with IteratorOverflowError instead, like every other pattern's.
 *
 * Each delivery to a subscriber's callback is traced; a loop's are not (it handles an event after
 * it was buffered).
 */
export function subscribeEventsStore(
  internals: ClientInternals,
  options: EventsStoreSubscription,
): IterableObservable<EventStoreReceive> {
  const plan = planEventsStoreSubscribe(options);
  const ctx = { operation: 'eventsStore.subscribe', channel: plan.channel };
  const traced = tracedDeliveries<EventStoreReceive>(internals.telemetry, (event) => eventProcessOperation('events_store', event, plan.group));
  /** Each subscription to it continues after the last event the one before it delivered. */
  const cursor = (): Observable<EventStoreReceive> => {
    const position: Position = { lastSequence: 0, firstOpenedAt: undefined };
    return defer(() => openAt(internals, plan, ctx, position));
  };
  return iterableObservable(defer(cursor).pipe(traced), {
    iterated: defer(cursor),
    signal: plan.signal,
    ...(plan.bufferSize !== undefined && { bufferSize: plan.bufferSize }),
    // A lone subscriber's loop that falls behind pauses the stream and resumes it after the last event it holds.
    ...(plan.group === '' && { continuing: cursor }),
  });
}

/** How far a subscriber has read: the last sequence delivered, and when it first opened. */
interface Position {
  lastSequence: number;
  firstOpenedAt: ClockReading | undefined;
}

/** The recoverable stream from `position` on (the plan's start for a group, or when nothing was read yet); it moves `position`. */
function openAt(
  internals: ClientInternals,
  plan: ReturnType<typeof planEventsStoreSubscribe>,
  ctx: { operation: string; channel: string },
  position: Position,
): Observable<EventStoreReceive> {
  // The broker starts an `atSequence` past the end of the channel at its next sequence, not at the
  // one asked for: what comes before that one is not what the subscriber asked for. Not filtered
  // for a group: one that already exists may owe its members sequences before that one.
  const firstSequence = plan.start.type === Subscribe_EventsStoreType.StartAtSequence ? Number(plan.start.value) : 0;
  return recoverable(
    internals,
    () => {
      // The sequence this open resumes after, until its first event (0: nothing to check).
      let resumesAfter = position.firstOpenedAt === undefined ? 0 : position.lastSequence;
      // Whatever an open's first event is, it is where the broker starts: only later ones can skip.
      let firstOfOpen = true;
      // A group always asks for its start position (see above); the broker keeps its place.
      const start =
        position.firstOpenedAt === undefined || plan.group !== ''
          ? plan.start
          : resumePosition(plan.start, position.lastSequence, elapsedSince(position.firstOpenedAt));
      position.firstOpenedAt ??= readClocks();
      const request = subscribeRequest(plan, subscriptionClientId(internals.clientId), start);
      return serverStream$(internals, SUBSCRIBE_TO_EVENTS, request, ctx, toEventStoreReceive).pipe(
        // A group's members see an interleaved subset, so only a lone subscriber filters repeats.
        filter((ev) => {
          const resumedAfter = resumesAfter;
          const first = firstOfOpen;
          resumesAfter = 0;
          firstOfOpen = false;
          if (plan.group !== '') return true;
          if (ev.sequence > position.lastSequence) {
            if (!first && position.lastSequence > 0 && ev.sequence > position.lastSequence + 1) {
              throw resumeBreak(internals, ctx, position.lastSequence, ev.sequence, 'the broker skipped events (dropped for a slow reader, or removed by retention); reading on from the next one');
            }
            return ev.sequence >= firstSequence;
          }
          // A fresh durable asked for the next one never sends the last one or below: the numbering started over.
          if (ev.sequence <= resumedAfter) {
            position.lastSequence = 0;
            throw resumeBreak(internals, ctx, resumedAfter, ev.sequence, "sequences started over (the broker lost its store?); reading the channel again from the start position");
          }
          return false;
        }),
        tap((ev) => {
          position.lastSequence = Math.max(position.lastSequence, ev.sequence);
        }),
      );
    },
    // A loop that resumes after a pause subscribes again: only its first open was made by the caller.
    { ...ctx, completeIsBreak: true, closedIsError: position.firstOpenedAt === undefined },
  );
}

/**
 * A break that makes recoverable() re-open the subscription (see above), logged as a warning:
 * after `last` the broker sent `got`, which `what` explains.
 */
function resumeBreak(internals: ClientInternals, ctx: { operation: string; channel: string }, last: number, got: number, what: string): KubemqError {
  internals.logger.warn(`events store: ${what}`, { channel: ctx.channel, last, got });
  return new KubemqError({ ...ctx, code: 'UNAVAILABLE', retryable: true, message: `${ctx.operation}: got sequence ${got} after ${last}: ${what}` });
}
