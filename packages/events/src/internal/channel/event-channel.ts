import { ValidationError, type CallOptions, type Codec, type Decoded, type IterableObservable, type KubemqClient } from '@kubemq/core';
import { decodeEach, decodeReceived, optionsObject, patternClientFor, sendTyped, typedChannelConfig } from '@kubemq/core/internal';
import { EventsClientImpl, type EventsClient } from '../client/events-client.js';
import { registerListenThrough, type ListenThrough } from '../listen/listen-through.js';
import type { ListenOptions } from '../listen/listen-types.js';
import type { Event, EventReceive, EventSendResult, EventsSubscription } from '../types.js';

/**
 * A typed event to publish on an {@link EventChannel}: the `value` is encoded by the channel's
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
 * Options of {@link eventChannel}.
 *
 * @example
 * ```ts
 * const options: EventChannelOptions<string> = { channel: 'logs', codec: textCodec() };
 * ```
 */
export interface EventChannelOptions<T> {
  /** The channel. A wildcard pattern (`orders.>`) can be subscribed to and listened to, but not sent to. */
  channel: string;
  /** Encodes sent values and decodes received bodies. */
  codec: Codec<T>;
}

/**
 * One events channel with a codec: the methods of {@link EventsClient}, with the channel fixed and
 * values instead of bodies, in the same argument order. Made by {@link eventChannel}; give it to
 * `eventListener()` for a listener whose handler gets every event decoded.
 *
 * Only an object made by {@link eventChannel} is accepted as a typed channel by `eventListener()`:
 * another object of this shape, such as a decorator or a test double, is refused with a
 * `ValidationError` (`invalid client`). A test double should wrap a real client (and hand these
 * functions the client itself), or run against the broker of `@kubemq/testing`.
 *
 * @example
 * ```ts
 * const orders: EventChannel<{ id: number }> = eventChannel(client, { channel: 'orders', codec: jsonCodec<{ id: number }>() });
 * ```
 */
export interface EventChannel<T> {
  /** The channel (or pattern) this handle works on. */
  readonly channel: string;
  /**
   * Encodes `event.value` and publishes it (see {@link EventsClient.send}).
   *
   * @throws ValidationError naming `value` for a value the codec refuses (nothing is sent), and
   *   whatever {@link EventsClient.send} throws.
   */
  send(event: TypedEvent<T>, options?: CallOptions): Promise<EventSendResult>;
  /** Subscribes (see {@link EventsClient.subscribe}); every event arrives decoded. */
  subscribe(options?: Omit<EventsSubscription, 'channel'>): IterableObservable<TypedEventReceive<T>>;
}

class EventChannelImpl<T> implements EventChannel<T> {
  readonly channel: string;
  readonly #events: EventsClientImpl;
  readonly #codec: Codec<T>;

  constructor(events: EventsClientImpl, options: EventChannelOptions<T>) {
    ({ channel: this.channel, codec: this.#codec } = typedChannelConfig<T>(options, 'events.channel'));
    this.#events = events;
  }

  send(event: TypedEvent<T>, options?: CallOptions): Promise<EventSendResult> {
    const place = { operation: 'events.send', channel: this.channel, noun: 'event' };
    return sendTyped(event, this.#codec, place, (untyped) => this.#events.send(untyped, options));
  }

  subscribe(given?: Omit<EventsSubscription, 'channel'>): IterableObservable<TypedEventReceive<T>> {
    // Options that are no object (5, null) are refused as the untyped call refuses them: spread,
    // they would be {} and every default would silently apply.
    const options = optionsObject(given, 'events.subscribe');
    return decodeEach(this.#events.subscribe({ ...options, channel: this.channel }), this.#codec, 'events.subscribe', options.bufferSize);
  }

  /** How `eventListener(channel, …)` listens here: on this channel, every event decoded. */
  listenThrough(options: Omit<ListenOptions, 'channel'>): ListenThrough<TypedEventReceive<T>> {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new ValidationError({ message: 'invalid options: must be an object', operation: 'events.listen', channel: this.channel, field: 'options' });
    }
    const codec = this.#codec;
    return { events: this.#events, options: { ...options, channel: this.channel }, deliver: (event) => decodeReceived(event, codec, 'events.listen') };
  }
}

/**
 * A typed events channel: values in, values out, through `codec`. Attach it to a client (a
 * default events client is made) or to an events client with options of its own. Nothing of it
 * is bundled unless it is imported.
 *
 * @throws ValidationError naming `client`, `channel` or `codec` for a bad argument.
 *
 * @example
 * ```ts
 * import { KubemqClient, jsonCodec } from '@kubemq/core';
 * import { eventChannel, eventListener } from '@kubemq/events';
 *
 * interface Order { id: number; total: number }
 * const client = await KubemqClient.connect({ address: 'localhost:50000' });
 * const orders = eventChannel(client, { channel: 'orders.created', codec: jsonCodec<Order>() });
 * await using listener = eventListener(orders, {}, (event) => {
 *   if (event.ok) console.log('order', event.value.id, event.value.total);
 *   else console.error('undecodable event', event.id, event.decodeError.message);
 * });
 * await listener.ready();
 * await orders.send({ value: { id: 42, total: 9.5 } });
 * ```
 */
export function eventChannel<T>(client: KubemqClient | EventsClient, options: EventChannelOptions<T>): EventChannel<T> {
  const events = patternClientFor(client, (c): c is EventsClientImpl => c instanceof EventsClientImpl, (c) => new EventsClientImpl(c), 'events.channel');
  const channel = new EventChannelImpl(events, options);
  registerListenThrough(channel, (o) => channel.listenThrough(o));
  return channel;
}
