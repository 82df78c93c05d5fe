/**
 * `@kubemq/events-store`: persistent publish/subscribe over the KubeMQ events store: every event
 * is stored with a per-channel sequence and can be replayed from six start positions.
 *
 * @packageDocumentation
 */

/**
 * Attaching the events store to a client: `eventsStore(client, options?)` → {@link EventsStoreClient}
 * (`send`, `subscribe`).
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { eventsStore, type EventsStoreOptions } from '@kubemq/events-store';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'audit' });
 * const options: EventsStoreOptions = { sendMode: 'unary' };
 * const { id } = await eventsStore(client, options).send({ channel: 'audit', body: 'user 7 logged in' });
 * ```
 */
export { eventsStore } from './internal/client/events-store.js';
export type { EventsStoreClient } from './internal/client/events-store-client.js';
export type { EventsStoreOptions, EventsStoreSendMode } from './internal/client/events-store-options.js';

/**
 * The messages: an {@link EventStore} to send, the broker's {@link EventStoreSendResult}, and a
 * received {@link EventStoreReceive}.
 *
 * @example
 * ```ts
 * import { type EventStore } from '@kubemq/events-store';
 *
 * const event: EventStore = { channel: 'audit', body: JSON.stringify({ user: 7 }), tags: { kind: 'login' } };
 * ```
 */
export type { EventStore, EventStoreReceive, EventStoreSendResult } from './internal/messages.js';

/**
 * Subscriptions and their start positions (a discriminated union with constructors): the six of
 * every KubeMQ SDK.
 *
 * @example
 * ```ts
 * import { StartPosition, type EventsStoreSubscription } from '@kubemq/events-store';
 *
 * const a: EventsStoreSubscription = { channel: 'audit', startAt: StartPosition.atSequence(42) }; // { kind: 'atSequence', sequence: 42 }
 * const b: EventsStoreSubscription = { channel: 'audit', startAt: { kind: 'atTimeDelta', deltaSeconds: 60 } }; // the last minute
 * ```
 */
export { StartPosition } from './internal/subscribe/start-position.js';
export type { EventsStoreSubscription } from './internal/subscribe/events-store-subscription.js';

/**
 * A send stream of your own for high-rate storing, from `eventStoreStream(client, options?)`.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { eventStoreStream } from '@kubemq/events-store';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'audit' });
 * const stream = eventStoreStream(client);
 * const results = await Promise.all([1, 2, 3].map((n) => stream.send({ channel: 'audit', body: `${n}` })));
 * await stream.close({ timeoutMs: 5_000 });
 * ```
 */
export { eventStoreStream } from './internal/stream/event-store-stream.js';
export type { EventStoreStreamHandle, EventStoreStreamOptions } from './internal/stream/event-store-stream-handle.js';

/**
 * Typed channels: a codec per channel (`jsonCodec`, `textCodec`, `bytesCodec` from
 * `@kubemq/core`, or your own), so `send` stores a value and subscribers get decoded ones; a body
 * that does not decode arrives as that event's `decodeError`, and the subscription goes on.
 *
 * @example
 * ```ts
 * import { KubemqClient, jsonCodec } from '@kubemq/core';
 * import { eventStoreChannel } from '@kubemq/events-store';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'app' });
 * const audit = eventStoreChannel(client, { channel: 'audit', codec: jsonCodec<{ user: number }>() });
 * await audit.send({ value: { user: 7 } });
 * ```
 */
export {
  eventStoreChannel,
  type EventStoreChannel,
  type EventStoreChannelOptions,
  type TypedEventStore,
  type TypedEventStoreReceive,
} from './internal/channel/event-store-channel.js';
