import type { MessageBody, Tags } from '@kubemq/core';

/**
 * An event to store and publish: persisted per channel with a sequence number, replayable.
 *
 * @example
 * ```ts
 * const entry: EventStore = { channel: 'audit.logins', body: JSON.stringify({ user: 7 }), tags: { outcome: 'ok' } };
 * ```
 */
export interface EventStore {
  /** The channel. No wildcards, no '/', no empty token ('a..b'), at most 240 bytes. */
  channel: string;
  /** The payload: a string (sent as UTF-8) or bytes. `body` and `metadata` cannot both be empty. */
  body?: MessageBody | undefined;
  /** Free-form text sent with the event (`body` and `metadata` cannot both be empty). */
  metadata?: string | undefined;
  /** String key/value pairs. Tags alone do not make an event non-empty. */
  tags?: Tags | undefined;
  /** The event id; a random one is generated when absent, so results can be correlated. */
  id?: string | undefined;
}

/**
 * The broker's answer for one stored event. A resolved send means the broker accepted the event;
 * a refusal rejects the promise with the broker's error.
 *
 * Note: the open-source broker answers `Sent: true` when it has handed the event to its store,
 * **before** the store confirmed persistence (docs/broker-behaviour.md §2.2); a later persistence
 * failure is not reported to the sender.
 *
 * @example
 * ```ts
 * const result: EventStoreSendResult = await eventsStore(client).send({ channel: 'audit', body: 'x' });
 * ```
 */
export interface EventStoreSendResult {
  /** The event's id (the one given, or the generated one). */
  readonly id: string;
  /** True: the broker accepted the event (see the note on persistence). */
  readonly sent: true;
}

/**
 * A received stored event.
 *
 * @example
 * ```ts
 * for await (const e of eventsStore(client).subscribe({ channel: 'audit', startAt: StartPosition.fromFirst() })) {
 *   console.log(e.sequence, e.timestamp.toISOString(), e.timestampNanos, e.text());
 * }
 * ```
 */
export interface EventStoreReceive {
  /** The event's id, as the sender set it (or as generated when it set none). */
  readonly id: string;
  /** The channel the event was stored in. */
  readonly channel: string;
  /** The payload as bytes; `text()` and `json()` decode it. */
  readonly body: Uint8Array;
  /** The sender's metadata (`''` when none). */
  readonly metadata: string;
  /** The sender's tags (`{}` when none). */
  readonly tags: Readonly<Tags>;
  /** The event's position in its channel: 1, 2, 3, … */
  readonly sequence: number;
  /** When the broker stored it (millisecond precision). */
  readonly timestamp: Date;
  /** When the broker stored it, in Unix nanoseconds (the wire's precision). */
  readonly timestampNanos: bigint;
  /** The body decoded as UTF-8. */
  text(): string;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}
