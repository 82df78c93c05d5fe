import type { CallOptions, KubemqClient } from '@kubemq/core';
import { clientInternals, readCallOptions, readEventStreamOptions, validatePositiveInt, withOperation, type ClientInternals } from '@kubemq/core/internal';
import type { EventStore, EventStoreSendResult } from '../messages.js';
import { StoreSendStream } from '../send/send-stream.js';
import { storeEvent } from '../send/store-event.js';
import type { EventStoreStreamHandle, EventStoreStreamOptions } from './event-store-stream-handle.js';
import { PACKAGE } from '../../version.js';

const OPERATION = 'eventsStore.stream';

/** The one implementation of {@link EventStoreStreamHandle}; made only by {@link eventStoreStream}. */
class StoreStreamHandle implements EventStoreStreamHandle {
  readonly #internals: ClientInternals;
  readonly #stream: StoreSendStream;

  constructor(internals: ClientInternals, maxQueued: number) {
    this.#internals = internals;
    this.#stream = new StoreSendStream(internals, { operation: OPERATION, maxQueued });
  }

  send(event: EventStore, options?: CallOptions): Promise<EventStoreSendResult> {
    return storeEvent(this.#internals, OPERATION, event, options, (wire, bounds) => this.#stream.send(wire, bounds));
  }

  close(given?: CallOptions): Promise<void> {
    try {
      const options = readCallOptions(given, `${OPERATION}.close`);
      const signal = options.signal;
      const timeoutMs = options.timeoutMs === undefined ? undefined : validatePositiveInt(options.timeoutMs, 'timeoutMs', { min: 0 });
      return this.#stream.close({ timeoutMs, signal });
    } catch (err) {
      return Promise.reject(withOperation(err, `${OPERATION}.close`, undefined));
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Opens a send stream of your own for high-rate storing (see {@link EventStoreStreamHandle}). A
 * function rather than a member of the events-store client, so an app that never calls it does
 * not bundle it. The stream opens on the first send; close it with `close()` or `await using`.
 *
 * @throws ValidationError when `client` is not a KubemqClient or `maxQueued` is not a whole number ≥ 1.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { eventStoreStream } from '@kubemq/events-store';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'audit-import' });
 * await using stream = eventStoreStream(client, { maxQueued: 50_000 });
 * const results = await Promise.all([1, 2, 3].map((n) => stream.send({ channel: 'audit', body: `entry ${n}` })));
 * console.log(results.map((r) => r.id));
 * ```
 */
export function eventStoreStream(client: KubemqClient, options?: EventStoreStreamOptions): EventStoreStreamHandle {
  const internals = clientInternals(client, OPERATION, PACKAGE);
  return new StoreStreamHandle(internals, readEventStreamOptions(options, OPERATION).maxQueued);
}
