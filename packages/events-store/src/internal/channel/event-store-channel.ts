import type { CallOptions, Codec, Decoded, IterableObservable, KubemqClient } from '@kubemq/core';
import { decodeEach, optionsObject, patternClientFor, sendTyped, typedChannelConfig } from '@kubemq/core/internal';
import { eventsStore, isEventsStoreClient } from '../client/events-store.js';
import type { EventsStoreClient } from '../client/events-store-client.js';
import type { EventStore, EventStoreReceive, EventStoreSendResult } from '../messages.js';
import type { EventsStoreSubscription } from '../subscribe/events-store-subscription.js';

/**
 * A typed event to store on an {@link EventStoreChannel}: the `value` is encoded by the
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
 * Options of {@link eventStoreChannel}.
 *
 * @example
 * ```ts
 * const options: EventStoreChannelOptions<string> = { channel: 'audit', codec: textCodec() };
 * ```
 */
export interface EventStoreChannelOptions<T> {
  /** The channel (no wildcards in the events store). */
  channel: string;
  /** Encodes stored values and decodes replayed and live bodies. */
  codec: Codec<T>;
}

/**
 * One events-store channel with a codec, from {@link eventStoreChannel}: the methods of
 * {@link EventsStoreClient}, in the same argument order, with the channel fixed and values instead
 * of bodies.
 *
 * @example
 * ```ts
 * const logins: EventStoreChannel<{ user: number }> = eventStoreChannel(client, { channel: 'audit.logins', codec: jsonCodec() });
 * await logins.send({ value: { user: 7 } });
 * ```
 */
export interface EventStoreChannel<T> {
  /** The channel this handle works on. */
  readonly channel: string;
  /**
   * Encodes `event.value` and stores it (see {@link EventsStoreClient.send}). A value the codec
   * refuses is a ValidationError naming `value` (as a rejection); nothing is sent.
   */
  send(event: TypedEventStore<T>, options?: CallOptions): Promise<EventStoreSendResult>;
  /**
   * Subscribes from a start position (see {@link EventsStoreClient.subscribe}); every event arrives
   * decoded.
   */
  subscribe(options?: Omit<EventsStoreSubscription, 'channel'>): IterableObservable<TypedEventStoreReceive<T>>;
}

/**
 * A typed events-store channel: values in, values out, through `codec`. Attach it to a client (a
 * default {@link EventsStoreClient} is made) or to an events-store client with options of its own
 * (`eventsStore(client, { sendMode: 'unary' })`). Nothing of it is bundled unless it is imported.
 *
 * @throws ValidationError naming `client`, `channel` or `codec` for a bad argument.
 *
 * @example
 * ```ts
 * import { KubemqClient, jsonCodec } from '@kubemq/core';
 * import { eventStoreChannel, StartPosition } from '@kubemq/events-store';
 *
 * interface Login { user: number; at: string }
 * const client = await KubemqClient.connect({ address: 'localhost:50000' });
 * const logins = eventStoreChannel(client, { channel: 'audit.logins', codec: jsonCodec<Login>() });
 * await logins.send({ value: { user: 7, at: new Date().toISOString() } });
 * for await (const event of logins.subscribe({ startAt: StartPosition.fromFirst() })) {
 *   if (event.ok) console.log(event.sequence, event.value.user);
 * }
 * ```
 */
export function eventStoreChannel<T>(client: KubemqClient | EventsStoreClient, options: EventStoreChannelOptions<T>): EventStoreChannel<T> {
  const operation = 'eventsStore.channel';
  const store = patternClientFor(client, isEventsStoreClient, (c) => eventsStore(c), operation);
  const { channel, codec } = typedChannelConfig<T>(options, operation);
  return {
    channel,
    send(event, callOptions) {
      const place = { operation: 'eventsStore.send', channel, noun: 'event' };
      return sendTyped(event, codec, place, (untyped) => store.send(untyped, callOptions));
    },
    subscribe(given) {
      // Options that are no object (5, null) are refused as the untyped call refuses them: spread,
      // they would be {} and every default would silently apply.
      const subscription = optionsObject(given, 'eventsStore.subscribe');
      return decodeEach(store.subscribe({ ...subscription, channel }), codec, 'eventsStore.subscribe', subscription.bufferSize);
    },
  };
}
