import type { CallOptions, IterableObservable, KubemqError } from '@kubemq/core';
import type { Event } from '../types.js';

/**
 * A send stream you own, for high-rate publishing. Made by {@link eventStream}.
 *
 * The broker answers an event on this stream **only when it fails**. So `send()` resolves once
 * the event is written to the stream (await it for backpressure) with the event's id, and a
 * failure arrives later on `failures`, under that id. `flush()` waits until the broker has
 * processed everything written so far (its failures, if any, have then been emitted).
 *
 * @example
 * ```ts
 * await using stream = eventStream(client);
 * const { id } = await stream.send({ channel: 'ticks', body: '1' });
 * await stream.flush();
 * ```
 */
export interface EventStreamHandle extends AsyncDisposable {
  /**
   * Writes one event. Resolves with its id (the one given, or the generated one) once it is
   * written to the stream, which is not the broker accepting it: a refusal arrives on `failures`
   * with that `id`. Rejects with a ValidationError for bad input (nothing is written),
   * `BUFFER_FULL` when `maxQueued` events wait already, `CLOSED` after close(), and `TIMEOUT` /
   * `CANCELLED` when `timeoutMs` passes or `signal` aborts before it could be written (while
   * reconnecting, say); such an event is never written.
   */
  send(event: Event, options?: CallOptions): Promise<EventStreamSendResult>;
  /**
   * The broker's refusals of single events, by event id: an Observable that `for await` also
   * reads. It completes when the handle is closed. A refusal nobody observes is logged as a
   * warning through the client's `logger` (nothing when it has none).
   */
  readonly failures: IterableObservable<EventStreamFailure>;
  /**
   * Resolves when the broker has processed every event written before this call (their failures,
   * if any, have been emitted on `failures`). Rejects when the stream broke before that, also
   * when the break came before this call: the events written since the last flush that resolved
   * may or may not have been published, and the error says how many.
   */
  flush(options?: CallOptions): Promise<void>;
  /**
   * Stops taking events, waits for the broker to process what was written, half-closes and waits
   * for the broker to end the stream. `timeoutMs` bounds the whole close (default: the client's
   * `defaultTimeoutMs`; 0 means no wait): when it passes, or `signal` aborts, the stream is
   * cancelled, and a failure still on its way is lost. Resolves once closed, either way;
   * idempotent.
   *
   * @throws ValidationError for a bad option (nothing is closed then).
   */
  close(options?: CallOptions): Promise<void>;
}

/**
 * What `send()` on an {@link EventStreamHandle} resolves with: the event was written to the stream.
 *
 * @example
 * ```ts
 * const { id } = await stream.send({ channel: 'ticks', body: '1' });
 * ```
 */
export interface EventStreamSendResult {
  /** The event's id (the one given, or the generated one): a failure arrives on `failures` with it. */
  readonly id: string;
}

/**
 * The broker's refusal of one event sent on an {@link EventStreamHandle}.
 *
 * @example
 * ```ts
 * for await (const { id, error } of stream.failures) console.error(id, error.code);
 * ```
 */
export interface EventStreamFailure {
  /** The id of the event the broker refused (as `send()` resolved it). */
  readonly id: string;
  /** What the broker said, as a KubemqError (with `brokerCode` when the broker numbered it). */
  readonly error: KubemqError;
}

/**
 * Options of {@link eventStream}.
 *
 * @example
 * ```ts
 * const stream = eventStream(client, { maxQueued: 50_000 });
 * ```
 */
export interface EventStreamOptions {
  /**
   * How many events may wait to be written while the stream is (re)connecting or the network is
   * busy; past it `send()` rejects with code `BUFFER_FULL` (default 10,000).
   */
  maxQueued?: number | undefined;
}
