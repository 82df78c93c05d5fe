/**
 * `@kubemq/events`: fire-and-forget publish/subscribe over KubeMQ events (at-most-once, fan-out,
 * consumer groups, wildcard subscriptions, no persistence).
 *
 * @packageDocumentation
 */

/**
 * The events pattern: `events(client)` attaches it to a connected client (nothing registers at
 * import) and gives `send` and `subscribe`.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { eventListener, events } from '@kubemq/events';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'app' });
 * await using listener = eventListener(client, { channel: 'notifications' }, (event) => console.log(event.text()));
 * await listener.ready(); // events published from now on reach the listener
 * await events(client).send({ channel: 'notifications', body: 'user logged in' });
 * ```
 */
export { events, type EventsClient } from './internal/client/events-client.js';

/**
 * A long-running handler, `eventListener(client, options, handler)`, its options and its counters.
 * Its `ready()` proves that the broker routes events to it, with readiness probes. A function,
 * not a method of the events client: an app that never listens bundles none of it.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { eventListener, type ListenOptions } from '@kubemq/events';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'mailer' });
 * const options: ListenOptions = { channel: 'notifications.email', group: 'mailers', concurrency: 4 };
 * const listener = eventListener(client, options, async (event) => console.log('mail', event.json()));
 * await listener.ready();
 * process.once('SIGTERM', () => void listener.stop());
 * await listener.done;
 * console.log(listener.stats.handled, 'mails sent');
 * ```
 */
export { eventListener } from './internal/listen/event-listener.js';
export type { EventListener, EventListenerStats, ListenOptions } from './internal/listen/listen-types.js';

/**
 * Readiness probes: the tag that marks them and a test for it. This package's subscriptions drop
 * probes; subscribers built with another SDK see them as ordinary events with this tag.
 *
 * @example
 * ```ts
 * import { isEventsReadinessProbe, EVENTS_READINESS_PROBE_TAG, type EventReceive } from '@kubemq/events';
 *
 * // A raw event from another source (a bridge, a log) in this SDK's shape:
 * const handle = (event: EventReceive) => {
 *   if (isEventsReadinessProbe(event)) return; // carries the tag EVENTS_READINESS_PROBE_TAG
 *   console.log(event.text(), Object.keys(event.tags).includes(EVENTS_READINESS_PROBE_TAG));
 * };
 * ```
 */
export { isEventsReadinessProbe, EVENTS_READINESS_PROBE_TAG } from './internal/readiness/probe-tags.js';

/**
 * A send stream of your own for high-rate publishing: `eventStream(client)`. The broker answers
 * only failures, which arrive on `failures` by event id.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { eventStream } from '@kubemq/events';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'app' });
 * await using stream = eventStream(client);
 * stream.failures.subscribe(({ id, error }) => console.error(id, error.message));
 * for (let i = 0; i < 1000; i++) await stream.send({ channel: 'ticks', body: String(i) });
 * await stream.flush();
 * ```
 */
export { eventStream } from './internal/stream/event-stream.js';
export type {
  EventStreamFailure,
  EventStreamHandle,
  EventStreamOptions,
  EventStreamSendResult,
} from './internal/stream/event-stream-handle.js';

/**
 * Typed channels: a codec per channel (`jsonCodec`, `textCodec`, `bytesCodec` from
 * `@kubemq/core`, or your own), so `send` takes a value and subscribers and listeners
 * (`eventListener(channel, …)`) get decoded ones; a body that does not decode arrives as that
 * event's `decodeError`, and the subscription goes on.
 *
 * @example
 * ```ts
 * import { KubemqClient, jsonCodec } from '@kubemq/core';
 * import { eventChannel } from '@kubemq/events';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'app' });
 * const orders = eventChannel(client, { channel: 'orders', codec: jsonCodec<{ id: number }>() });
 * await orders.send({ value: { id: 1 } });
 * ```
 */
export {
  eventChannel,
  type EventChannel,
  type EventChannelOptions,
  type TypedEvent,
  type TypedEventReceive,
} from './internal/channel/event-channel.js';

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
  Event,
  EventReceive,
  EventSendResult,
  EventsOptions,
  EventsSendMode,
  EventsSubscription,
} from './internal/types.js';
