import type { KubemqClient } from '@kubemq/core';
import { patternClientFor } from '@kubemq/core/internal';
import type { EventChannel, TypedEventReceive } from '../channel/event-channel.js';
import { EventsClientImpl, type EventsClient } from '../client/events-client.js';
import type { EventReceive } from '../types.js';
import { listenThroughOf } from './listen-through.js';
import { EventsListener } from './listener.js';
import type { EventListener, ListenOptions } from './listen-types.js';

/**
 * Starts a long-running handler: every event of the channel (or pattern, or its share of the
 * group's) goes to `handler`, at most `concurrency` at once (default 1, in order). A handler that
 * throws is reported to `onError` and the listener goes on. `await listener.ready()` proves that
 * events reach it (see {@link EventListener.ready}).
 *
 * Listen through a client (a default events client is made), an events client with options of its
 * own (its `sendMode` carries the readiness probes), or a typed channel (`eventChannel()`: the
 * channel is the channel's, and the handler gets every event decoded). A function, not a method of
 * the events client: an app that never listens bundles none of it.
 *
 * @throws ValidationError for bad options, a handler that is not a function, or a first argument
 *   that is none of the above.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { eventListener, events } from '@kubemq/events';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'mailer' });
 * await using listener = eventListener(client, { channel: 'notifications.email', group: 'mailers' }, (event) => console.log(event.text()));
 * await listener.ready(); // events published from now on reach the listener
 * await events(client).send({ channel: 'notifications.email', body: 'welcome' });
 * ```
 */
export function eventListener(client: KubemqClient | EventsClient, options: ListenOptions, handler: (event: EventReceive) => unknown): EventListener;
/**
 * A listener on a typed channel (`eventChannel()`): its channel, every event decoded for the
 * handler (`ok` + `value`, or `decodeError`). The options take no `channel`.
 */
export function eventListener<T>(
  channel: EventChannel<T>,
  options: Omit<ListenOptions, 'channel'>,
  handler: (event: TypedEventReceive<T>) => unknown,
): EventListener;
export function eventListener(
  target: KubemqClient | EventsClient | EventChannel<unknown>,
  options: ListenOptions | Omit<ListenOptions, 'channel'>,
  handler: (event: never) => unknown,
): EventListener {
  const typed = listenThroughOf(target);
  if (typed) {
    const through = typed(options);
    return new EventsListener(through.events.internals, through.options, handler as (event: EventReceive) => unknown, {
      deliver: through.deliver,
      publish: (wire, ctx) => through.events.publish(wire, ctx),
    });
  }
  const events = patternClientFor(target, (c): c is EventsClientImpl => c instanceof EventsClientImpl, (c) => new EventsClientImpl(c), 'events.listen');
  return new EventsListener(events.internals, options as ListenOptions, handler as (event: EventReceive) => unknown, {
    deliver: (event) => event,
    publish: (wire, ctx) => events.publish(wire, ctx),
  });
}
