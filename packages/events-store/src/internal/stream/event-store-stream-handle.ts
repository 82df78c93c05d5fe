import type { CallOptions } from '@kubemq/core';
import type { EventStore, EventStoreSendResult } from '../messages.js';

/**
 * A send stream you own, for high-rate storing, from {@link eventStoreStream}: every event's
 * promise settles with the broker's answer for that event (matched by id); awaiting each send
 * gives backpressure, or keep many in flight and await them together.
 *
 * @example
 * ```ts
 * await using stream = eventStoreStream(client);
 * const results = await Promise.all(lines.map((body) => stream.send({ channel: 'audit.import', body })));
 * ```
 */
export interface EventStoreStreamHandle extends AsyncDisposable {
  /**
   * Sends one event; resolves with the broker's answer, rejects with its error (or a
   * ValidationError, before anything is written; `BUFFER_FULL` past `maxQueued`; `CLOSED` once
   * the handle is closing). `timeoutMs` bounds the wait for the answer.
   */
  send(event: EventStore, options?: CallOptions): Promise<EventStoreSendResult>;
  /**
   * Stops taking events, waits for the outstanding answers, half-closes the stream and waits for
   * the broker to end it. `timeoutMs` (default: the client's `defaultTimeoutMs`; 0 waits for
   * nothing) bounds the whole close, and `signal` ends it early: the stream is then cancelled and
   * every send still unanswered rejects with `CLOSED` (such an event may or may not be stored).
   * Resolves once the handle is closed, also when the bound passed. Safe to call more than once.
   *
   * @throws ValidationError (as a rejection) for a bad option; nothing is closed then.
   */
  close(options?: CallOptions): Promise<void>;
}

/**
 * Options of {@link eventStoreStream}.
 *
 * @example
 * ```ts
 * const stream = eventStoreStream(client, { maxQueued: 50_000 });
 * ```
 */
export interface EventStoreStreamOptions {
  /**
   * How many events may wait to be written while the stream is (re)connecting or the network is
   * busy; past it `send()` rejects with code `BUFFER_FULL` (default 10,000).
   */
  maxQueued?: number | undefined;
}
