import type { Codec, Decoded, KubemqClient, IterableObservable } from '@kubemq/core';
import { decodeEach, sendTyped, patternClientFor, typedChannelConfig } from '@kubemq/core/internal';
import { EventsStoreClient } from '../events-store-client.js';
import type { CallOptions, EventStore, EventStoreReceive, EventStoreResult, EventsStoreSubscription } from '../types.js';

/**
 * A typed event to store on an {@link EventsStoreChannel}: the `value` is encoded by the
 * channel's codec into the body.
 *
 * @example
 * ```ts
 * const event: TypedEventStore<{ user: number }> = { value: { user: 7 }, tags: { kind: 'login' } };
 * ```
 */
export interface TypedEventStore<T> extends Omit<EventStore, 'channel' | 'body'> {
  /** The payload, encoded by the channel's codec. */
  value: T;
}

/**
 * A stored event, replayed or live, with its body decoded by the channel's codec: `ok` and
 * `value`, or not `ok` and the `decodeError` (the subscription goes on).
 *
 * @example
 * ```ts
 * const seq = (event: TypedEventStoreReceive<{ user: number }>) => `${event.sequence}: ${event.ok ? event.value.user : 'undecodable'}`;
 * ```
 */
export type TypedEventStoreReceive<T> = EventStoreReceive & Decoded<T>;

/**
 * Options of {@link eventsStoreChannel}.
 *
 * @example
 * ```ts
 * const options: EventsStoreChannelOptions<string> = { channel: 'audit', codec: textCodec() };
 * ```
 */
export interface EventsStoreChannelOptions<T> {
  /** The channel (no wildcards in the events store). */
  channel: string;
  /** Encodes stored values and decodes replayed and live bodies. */
  codec: Codec<T>;
}

/**
 * One events-store channel with a codec: `send` stores typed values, `subscribe` replays and
 * follows decoded ones. Made by {@link eventsStoreChannel}; the untyped
 * {@link EventsStoreClient} does the work.
 */
export class EventsStoreChannel<T> {
  /** The channel this handle works on. */
  readonly channel: string;
  readonly #store: EventsStoreClient;
  readonly #codec: Codec<T>;

  constructor(store: EventsStoreClient, options: EventsStoreChannelOptions<T>) {
    ({ channel: this.channel, codec: this.#codec } = typedChannelConfig<T>(options, 'eventsStore.channel'));
    this.#store = store;
  }

  /**
   * Encodes `event.value` and stores it (see {@link EventsStoreClient.send}). A value the codec
   * refuses is a ValidationError naming `value`; nothing is sent.
   */
  send(event: TypedEventStore<T>, options?: CallOptions): Promise<EventStoreResult> {
    const place = { operation: 'eventsStore.send', channel: this.channel, noun: 'event' };
    return sendTyped(event, this.#codec, place, (untyped) => this.#store.send(untyped, options));
  }

  /** Subscribes from a start position (see {@link EventsStoreClient.subscribe}); every event arrives decoded. */
  subscribe(options: Omit<EventsStoreSubscription, 'channel'> = {}): IterableObservable<TypedEventStoreReceive<T>> {
    return decodeEach(this.#store.subscribe({ ...options, channel: this.channel }), this.#codec, 'eventsStore.subscribe', options.bufferSize);
  }
}

/**
 * A typed events-store channel: values in, values out, through `codec`. Attach it to a client (a
 * default {@link EventsStoreClient} is made) or to an EventsStoreClient with options of its own.
 * Nothing of it is bundled unless it is imported.
 *
 * @example
 * ```ts
 * import { KubemqClient, jsonCodec } from '@kubemq/core';
 * import { eventsStoreChannel, StartPosition } from '@kubemq/events-store';
 *
 * interface Login { user: number; at: string }
 * const client = await KubemqClient.connect({ address: 'localhost:50000' });
 * const logins = eventsStoreChannel(client, { channel: 'audit.logins', codec: jsonCodec<Login>() });
 * await logins.send({ value: { user: 7, at: new Date().toISOString() } });
 * logins.subscribe({ startAt: StartPosition.fromFirst() }).subscribe((event) => {
 *   if (event.ok) console.log(event.sequence, event.value.user);
 * });
 * ```
 */
export function eventsStoreChannel<T>(client: KubemqClient | EventsStoreClient, options: EventsStoreChannelOptions<T>): EventsStoreChannel<T> {
  const store = patternClientFor(client, (c): c is EventsStoreClient => c instanceof EventsStoreClient, (c) => new EventsStoreClient(c), 'eventsStore.channel');
  return new EventsStoreChannel(store, options);
}
