import type { Codec, Decoded, KubemqClient, IterableObservable } from '@kubemq/core';
import { decodeEach, sendTyped, patternClientFor, typedChannelConfig } from '@kubemq/core/internal';
import { EventsClient } from '../events-client.js';
import type { CallOptions, Event, EventReceive, EventSendResult, EventsSubscription } from '../types.js';

/**
 * A typed event to publish on an {@link EventsChannel}: the `value` is encoded by the channel's
 * codec into the body.
 *
 * @example
 * ```ts
 * const event: TypedEvent<{ id: number }> = { value: { id: 7 }, tags: { region: 'eu' } };
 * ```
 */
export interface TypedEvent<T> extends Omit<Event, 'channel' | 'body'> {
  /** The payload, encoded by the channel's codec. */
  value: T;
}

/**
 * A received event with its body decoded by the channel's codec: `ok` and `value`, or not `ok`
 * and the `decodeError` (the subscription goes on).
 *
 * @example
 * ```ts
 * const handle = (event: TypedEventReceive<{ id: number }>) => (event.ok ? event.value.id : event.decodeError.message);
 * ```
 */
export type TypedEventReceive<T> = EventReceive & Decoded<T>;

/**
 * Options of {@link eventsChannel}.
 *
 * @example
 * ```ts
 * const options: EventsChannelOptions<string> = { channel: 'logs', codec: textCodec() };
 * ```
 */
export interface EventsChannelOptions<T> {
  /** The channel. A wildcard pattern (`orders.>`) can be subscribed to but not sent to. */
  channel: string;
  /** Encodes sent values and decodes received bodies. */
  codec: Codec<T>;
}

/**
 * One events channel with a codec: `send` takes typed values, `subscribe` yields decoded ones.
 * Made by {@link eventsChannel}; the untyped {@link EventsClient} does the work.
 */
export class EventsChannel<T> {
  /** The channel (or pattern) this handle works on. */
  readonly channel: string;
  readonly #events: EventsClient;
  readonly #codec: Codec<T>;

  constructor(events: EventsClient, options: EventsChannelOptions<T>) {
    ({ channel: this.channel, codec: this.#codec } = typedChannelConfig<T>(options, 'events.channel'));
    this.#events = events;
  }

  /**
   * Encodes `event.value` and publishes it (see {@link EventsClient.send}). A value the codec
   * refuses is a ValidationError naming `value`; nothing is sent.
   */
  send(event: TypedEvent<T>, options?: CallOptions): Promise<EventSendResult> {
    const place = { operation: 'events.send', channel: this.channel, noun: 'event' };
    return sendTyped(event, this.#codec, place, (untyped) => this.#events.send(untyped, options));
  }

  /** Subscribes (see {@link EventsClient.subscribe}); every event arrives decoded. */
  subscribe(options: Omit<EventsSubscription, 'channel'> = {}): IterableObservable<TypedEventReceive<T>> {
    return decodeEach(this.#events.subscribe({ ...options, channel: this.channel }), this.#codec, 'events.subscribe', options.bufferSize);
  }
}

/**
 * A typed events channel: values in, values out, through `codec`. Attach it to a client (a
 * default {@link EventsClient} is made) or to an EventsClient with options of its own. Nothing
 * of it is bundled unless it is imported.
 *
 * @example
 * ```ts
 * import { KubemqClient, jsonCodec } from '@kubemq/core';
 * import { eventsChannel } from '@kubemq/events';
 *
 * interface Order { id: number; total: number }
 * const client = await KubemqClient.connect({ address: 'localhost:50000' });
 * const orders = eventsChannel(client, { channel: 'orders.created', codec: jsonCodec<Order>() });
 * orders.subscribe().subscribe((event) => {
 *   if (event.ok) console.log('order', event.value.id, event.value.total);
 *   else console.error('undecodable event', event.id, event.decodeError.message);
 * });
 * await orders.send({ value: { id: 42, total: 9.5 } });
 * ```
 */
export function eventsChannel<T>(client: KubemqClient | EventsClient, options: EventsChannelOptions<T>): EventsChannel<T> {
  const events = patternClientFor(client, (c): c is EventsClient => c instanceof EventsClient, (c) => new EventsClient(c), 'events.channel');
  return new EventsChannel(events, options);
}
