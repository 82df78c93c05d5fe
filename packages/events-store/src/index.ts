/**
 * `@kubemq/events-store`: persistent publish/subscribe over the KubeMQ events store: every event
 * is stored with a per-channel sequence and can be replayed from six start positions.
 *
 * @packageDocumentation
 */

/**
 * Attaches the events-store pattern to a connected client.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { eventsStore } from '@kubemq/events-store';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'audit' });
 * const { id } = await eventsStore(client).send({ channel: 'audit', body: 'user 7 logged in' });
 * ```
 */
export { eventsStore } from './internal/events-store-client.js';

/**
 * The events-store client: `send`, `stream` and `subscribe`.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { EventsStoreClient, StartPosition } from '@kubemq/events-store';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'audit' });
 * const store = new EventsStoreClient(client);
 * store.subscribe({ channel: 'audit', startAt: StartPosition.fromFirst() })
 *   .subscribe((e) => console.log(e.sequence, e.timestamp.toISOString(), e.text()));
 * ```
 */
export { EventsStoreClient } from './internal/events-store-client.js';

/**
 * Start positions, as a discriminated union with constructors.
 *
 * @example
 * ```ts
 * import { StartPosition } from '@kubemq/events-store';
 *
 * const a = StartPosition.atSequence(42);                   // { kind: 'sequence', sequence: 42 }
 * const b: StartPosition = { kind: 'timeDelta', deltaMs: 60_000 }; // the last minute
 * ```
 */
export { StartPosition } from './internal/start-position.js';

/**
 * A send stream for high-rate storing, from `eventsStore(client).stream()`.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { eventsStore } from '@kubemq/events-store';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'audit' });
 * const stream = eventsStore(client).stream();
 * const results = await Promise.all([1, 2, 3].map((n) => stream.send({ channel: 'audit', body: `${n}` })));
 * await stream.close();
 * ```
 */
export type { EventStoreStreamHandle } from './internal/event-store-stream-handle.js';

/**
 * Typed channels: a codec per channel (`jsonCodec`, `textCodec`, `bytesCodec` from
 * `@kubemq/core`, or your own), so `send` stores a value and subscribers get decoded ones; a body
 * that does not decode arrives as that event's `decodeError`, and the subscription goes on.
 *
 * @example
 * ```ts
 * import { KubemqClient, jsonCodec } from '@kubemq/core';
 * import { eventsStoreChannel } from '@kubemq/events-store';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'app' });
 * const audit = eventsStoreChannel(client, { channel: 'audit', codec: jsonCodec<{ user: number }>() });
 * await audit.send({ value: { user: 7 } });
 * ```
 */
export {
  eventsStoreChannel,
  EventsStoreChannel,
  type EventsStoreChannelOptions,
  type TypedEventStore,
  type TypedEventStoreReceive,
} from './internal/channel/events-store-channel.js';

/**
 * Message and option types.
 *
 * @example
 * ```ts
 * import { type EventStore } from '@kubemq/events-store';
 *
 * const event: EventStore = { channel: 'audit', body: JSON.stringify({ user: 7 }), tags: { kind: 'login' } };
 * ```
 */
export type {
  CallOptions,
  EventStore,
  EventStoreReceive,
  EventStoreResult,
  EventStoreStreamOptions,
  EventsStoreClientOptions,
  EventsStoreSendMode,
  EventsStoreSubscription,
} from './internal/types.js';
