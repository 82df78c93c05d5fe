import type { MessageBody, Tags } from '@kubemq/core';

/**
 * An event to publish: at-most-once, delivered to the subscribers connected right now, never stored.
 *
 * @example
 * ```ts
 * const event: Event = { channel: 'orders.created', body: JSON.stringify({ id: 7 }), tags: { region: 'eu' } };
 * ```
 */
export interface Event {
  /** The channel to publish on. Wildcards (`*`, `>`) are not allowed when sending. */
  channel: string;
  /** The payload: a string (sent as UTF-8) or bytes. `body` and `metadata` cannot both be empty. */
  body?: MessageBody | undefined;
  /** Free text that travels with the event. */
  metadata?: string | undefined;
  /**
   * String key/value pairs that travel with the event. Tags alone do not make an event non-empty.
   * Keys starting with `x-kubemq-events-` are reserved for readiness probes (a ValidationError).
   */
  tags?: Tags | undefined;
  /** The event id; a random one is generated when absent, so results can be correlated. */
  id?: string | undefined;
}

/**
 * What the broker answered for a sent event.
 *
 * @example
 * ```ts
 * const { id } = await events(client).send({ channel: 'orders.created', body: 'x' });
 * ```
 */
export interface EventSendResult {
  /** The event's id (the one given, or the generated one). */
  readonly id: string;
  /** Always true on a resolved send: the broker accepted the event (failures reject instead). */
  readonly sent: true;
}

/**
 * A received event.
 *
 * @example
 * ```ts
 * events(client).subscribe({ channel: 'orders.>' })
 *   .subscribe((e: EventReceive) => console.log(e.channel, e.id, e.json(), e.tags));
 * ```
 */
export interface EventReceive {
  /** The event's id, as the sender set it (or as generated when it set none). */
  readonly id: string;
  /** The concrete channel the event was published on (also for wildcard subscriptions). */
  readonly channel: string;
  /** The payload as bytes; `text()` and `json()` decode it. */
  readonly body: Uint8Array;
  /** The sender's metadata (`''` when none). */
  readonly metadata: string;
  /** The sender's tags (`{}` when none). */
  readonly tags: Readonly<Tags>;
  /** The body decoded as UTF-8. */
  text(): string;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}

/**
 * What to subscribe to.
 *
 * @example
 * ```ts
 * const options: EventsSubscription = { channel: 'orders.*', group: 'billing' };
 * ```
 */
export interface EventsSubscription {
  /**
   * The channel, or a pattern: `*` matches one token and `>` one or more trailing tokens
   * (`orders.*`, `orders.>`); tokens are separated by `.`.
   */
  channel: string;
  /** A consumer group: each event goes to exactly one member of the group. */
  group?: string | undefined;
  /** How many received events may wait for a slow consumer (default 1024). */
  bufferSize?: number | undefined;
  /**
   * Aborting it ends the subscription quietly: a subscriber sees it complete, and a `for await`
   * loop ends (at once while it waits for an event, else at its next step). Already aborted,
   * nothing is opened.
   */
  signal?: AbortSignal | undefined;
}

/**
 * How `send()` reaches the broker.
 * - `'stream'` (default): through one shared `SendEventsStream` per client. The broker answers an
 *   event on that stream only when it fails, and processes a stream's events in order, so after a
 *   burst of sends the client writes one invalid marker event that the broker always answers;
 *   its answer confirms every event written before it. Several times the throughput of unary
 *   calls (measured in the package README).
 * - `'unary'`: one `SendEvent` call per event.
 *
 * @example
 * ```ts
 * const mode: EventsSendMode = 'unary';
 * ```
 */
export type EventsSendMode = 'stream' | 'unary';

/**
 * Options of {@link events}.
 *
 * @example
 * ```ts
 * const unary = events(client, { sendMode: 'unary' });
 * ```
 */
export interface EventsOptions {
  /** How `send()` (and a listener's readiness probes) reach the broker (default `'stream'`). */
  sendMode?: EventsSendMode | undefined;
}
