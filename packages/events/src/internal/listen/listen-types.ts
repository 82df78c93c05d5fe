import type { CallOptions } from '@kubemq/core';
import type { EventReceive, EventsSubscription } from '../types.js';

/**
 * Options of `eventListener()`: what to subscribe to, plus how the handler runs.
 *
 * @example
 * ```ts
 * const options: ListenOptions = { channel: 'orders.*', group: 'billing', concurrency: 4, onError: (err) => console.error(err) };
 * ```
 */
export interface ListenOptions extends EventsSubscription {
  /**
   * How many received events may wait for a free handler (default 1024). Past it an event is
   * dropped and reported to `onError` as a KubemqError `BUFFER_FULL` (and counted in
   * `stats.dropped`): events are at-most-once, and the broker itself drops events for a
   * subscriber that does not keep up (after 2 s).
   */
  bufferSize?: number | undefined;
  /** How many handler calls may run at once (default 1: events are handled one by one, in order). */
  concurrency?: number | undefined;
  /** Aborting it stops the listener, as `stop()` does. */
  signal?: AbortSignal | undefined;
  /**
   * Called with what a handler threw (and the event it threw on), with a dropped event's
   * `BUFFER_FULL`, and with the error that ended the subscription (no event then). Default: a
   * warning through the client's `logger` (nothing when it has none). An `onError` that throws, or
   * returns a promise that rejects, is ignored.
   */
  onError?: ((error: unknown, event?: EventReceive) => void) | undefined;
}

/**
 * A running handler made by `eventListener()`: it receives every event of its channel
 * (or pattern, or its share of the group's) and hands each one to the handler. It re-opens its
 * subscription after a reconnect by itself.
 *
 * @example
 * ```ts
 * await using listener = eventListener(client, { channel: 'orders' }, (event) => console.log(event.text()));
 * await listener.ready(); // the broker routes events to it now
 * await events(client).send({ channel: 'orders', body: 'first' });
 * ```
 */
export interface EventListener extends AsyncDisposable {
  /** The channel or pattern it listens to. */
  readonly channel: string;
  /** Its consumer group, if any. */
  readonly group: string | undefined;
  /**
   * Resolves once the broker has proven to route events to this listener: it publishes readiness
   * probes (ordinary events carrying the tag `x-kubemq-events-probe`) to the listener's channel,
   * or for a pattern to a channel it matches, until one arrives through this listener's current
   * subscription. In a group each probe reaches one member, so it probes until one reaches this
   * one. An event published after `ready()` resolved reaches the listener. Resolves at once when
   * nothing changed since the last proof; after a reconnect it probes again.
   *
   * Probes never reach handlers or subscriptions of this package; subscribers built with other
   * SDKs see them (see `isEventsReadinessProbe`).
   *
   * @throws TimeoutError after `timeoutMs` (default 15 000); KubemqError `CANCELLED` when
   *   `signal` aborts; `CLOSED` once the listener is stopping (or the error that ended it).
   */
  ready(options?: CallOptions): Promise<void>;
  /**
   * Stops taking events, lets running handlers finish and hands them the events already
   * received, then resolves. Idempotent; never rejects. Calling it from inside a handler: do not
   * await it there (it waits for that handler); nor the client's `close()`, which waits the same way.
   */
  stop(): Promise<void>;
  /**
   * Resolves once the listener has stopped (through `stop()`, `signal`, or the client's
   * `close()`); rejects with the error when its subscription ended on one it cannot recover from
   * (after the handlers in hand finished). It never causes an unhandled rejection.
   */
  readonly done: Promise<void>;
  /** A snapshot of its counters. */
  readonly stats: EventListenerStats;
}

/**
 * The counters of an {@link EventListener} (a snapshot: read `listener.stats` again for new ones).
 *
 * @example
 * ```ts
 * const { received, handled, handlerErrors } = listener.stats;
 * ```
 */
export interface EventListenerStats {
  /** Events received (readiness probes not counted). */
  readonly received: number;
  /** Handler calls that returned (or resolved). */
  readonly handled: number;
  /** Handler calls that threw (or rejected); each was reported to `onError`. */
  readonly handlerErrors: number;
  /** Events dropped because `bufferSize` events were already waiting for a handler. */
  readonly dropped: number;
  /** Handler calls running now. */
  readonly running: number;
  /** Events waiting for a free handler now. */
  readonly waiting: number;
  /** Times the subscription was opened again after a break (a reconnect, a broker restart): every attempt, one the broker refused included. */
  readonly recoveries: number;
}
