import type { CallOptions, IterableObservable, KubemqClient } from '@kubemq/core';
import { clientInternals, closedOptions, DEFAULT_MAX_QUEUED, sendEventOnce, validateSendMode, type ClientInternals } from '@kubemq/core/internal';
import { SEND_EVENT } from '../methods.js';
import type { EventStore, EventStoreReceive, EventStoreSendResult } from '../messages.js';
import { StoreSendStream } from '../send/send-stream.js';
import { storeEvent } from '../send/store-event.js';
import type { EventsStoreSubscription } from '../subscribe/events-store-subscription.js';
import { subscribeEventsStore } from '../subscribe/subscribe.js';
import type { EventsStoreClient } from './events-store-client.js';
import type { EventsStoreOptions, EventsStoreSendMode } from './events-store-options.js';
import { PACKAGE } from '../../version.js';

/** One shared send stream per client, however many EventsStoreClients wrap it. */
const sharedStreams = new WeakMap<ClientInternals, StoreSendStream>();

/** The one implementation of {@link EventsStoreClient}; made only by {@link eventsStore}. */
class StoreClient implements EventsStoreClient {
  readonly #internals: ClientInternals;
  readonly #sendMode: EventsStoreSendMode;

  constructor(internals: ClientInternals, sendMode: EventsStoreSendMode) {
    this.#internals = internals;
    this.#sendMode = sendMode;
  }

  send(event: EventStore, options?: CallOptions): Promise<EventStoreSendResult> {
    const operation = 'eventsStore.send';
    return storeEvent(this.#internals, operation, event, options, (wire, bounds) =>
      this.#sendMode === 'stream'
        ? this.#sharedStream().send(wire, bounds)
        : sendEventOnce(this.#internals, SEND_EVENT, wire, { operation, ...bounds }),
    );
  }

  subscribe(options: EventsStoreSubscription): IterableObservable<EventStoreReceive> {
    return subscribeEventsStore(this.#internals, options);
  }

  #sharedStream(): StoreSendStream {
    let stream = sharedStreams.get(this.#internals);
    if (!stream) {
      stream = new StoreSendStream(this.#internals, { operation: 'eventsStore.send', maxQueued: DEFAULT_MAX_QUEUED });
      sharedStreams.set(this.#internals, stream);
    }
    return stream;
  }
}

/**
 * Attaches the events-store pattern to a connected client. Cheap: every client made for one
 * KubemqClient shares its connection (and, in `'stream'` send mode, one send stream).
 *
 * @throws ValidationError when `client` is not a KubemqClient or `options.sendMode` is unknown.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { eventsStore, StartPosition } from '@kubemq/events-store';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'audit' });
 * const { id } = await eventsStore(client).send({ channel: 'audit', body: 'user 7 logged in' });
 * for await (const event of eventsStore(client).subscribe({ channel: 'audit', startAt: StartPosition.fromFirst() })) {
 *   console.log(event.sequence, event.text());
 *   if (event.id === id) break;
 * }
 * ```
 */
export function eventsStore(client: KubemqClient, options?: EventsStoreOptions): EventsStoreClient {
  const internals = clientInternals(client, 'eventsStore', PACKAGE);
  const o = closedOptions(options, 'eventsStore', ['sendMode']);
  return new StoreClient(internals, validateSendMode(o.sendMode, 'eventsStore'));
}

/** Whether `value` came from {@link eventsStore} (typed channels take one instead of a KubemqClient). */
export function isEventsStoreClient(value: unknown): value is EventsStoreClient {
  return value instanceof StoreClient;
}
