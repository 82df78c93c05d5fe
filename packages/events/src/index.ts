/**
 * `@kubemq/events`: fire-and-forget publish/subscribe over KubeMQ events (at-most-once, fan-out,
 * consumer groups, wildcard subscriptions, no persistence).
 *
 * @packageDocumentation
 */

/**
 * Attaches the events pattern to a connected client (composition: nothing registers at import).
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { events } from '@kubemq/events';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'app' });
 * await events(client).send({ channel: 'notifications', body: 'user logged in' });
 * ```
 */
export { events } from './internal/events-client.js';

/**
 * The events client: `send`, `stream` and `subscribe`.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { EventsClient } from '@kubemq/events';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'app' });
 * const ev = new EventsClient(client);
 * ev.subscribe({ channel: 'orders.>' }).subscribe((e) => console.log(e.channel, e.text()));
 * ```
 */
export { EventsClient } from './internal/events-client.js';

/**
 * A send stream for high-rate publishing, from `events(client).stream()`.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { events } from '@kubemq/events';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'app' });
 * const stream = events(client).stream();
 * stream.failures.subscribe(({ eventId, error }) => console.error(eventId, error.message));
 * for (let i = 0; i < 1000; i++) await stream.send({ channel: 'ticks', body: String(i) });
 * await stream.close();
 * ```
 */
export type { EventStreamHandle } from './internal/event-stream-handle.js';

/**
 * Typed channels: a codec per channel (`jsonCodec`, `textCodec`, `bytesCodec` from
 * `@kubemq/core`, or your own), so `send` takes a value and subscribers get decoded ones; a body
 * that does not decode arrives as that event's `decodeError`, and the subscription goes on.
 *
 * @example
 * ```ts
 * import { KubemqClient, jsonCodec } from '@kubemq/core';
 * import { eventsChannel } from '@kubemq/events';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'app' });
 * const orders = eventsChannel(client, { channel: 'orders', codec: jsonCodec<{ id: number }>() });
 * await orders.send({ value: { id: 1 } });
 * ```
 */
export {
  eventsChannel,
  EventsChannel,
  type EventsChannelOptions,
  type TypedEvent,
  type TypedEventReceive,
} from './internal/channel/events-channel.js';

/**
 * Message and option types.
 *
 * @example
 * ```ts
 * import { type Event } from '@kubemq/events';
 *
 * const event: Event = { channel: 'notifications', body: 'hello', tags: { source: 'web' } };
 * ```
 */
export type {
  CallOptions,
  Event,
  EventReceive,
  EventSendResult,
  EventsClientOptions,
  EventsSendMode,
  EventStreamFailure,
  EventStreamOptions,
  EventsSubscription,
} from './internal/types.js';
