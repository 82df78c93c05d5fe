import type { CallOptions, KubemqClient, KubemqError } from '@kubemq/core';
import {
  clientInternals,
  eventSendOperation,
  iterableObservable,
  Broadcast,
  requireBuiltEventFits,
  tracedSend,
  validatePositiveInt,
  readEventStreamOptions,
  readCallOptions,
  checked,
  withOperation,
  type ClientInternals,
} from '@kubemq/core/internal';
import { buildEvent } from '../send/build-event.js';
import { EventsSendStream, warnRejected } from '../send/send-stream.js';
import { callTimeoutMs } from '../timeouts.js';
import type { Event } from '../types.js';
import type { EventStreamFailure, EventStreamHandle, EventStreamOptions, EventStreamSendResult } from './event-stream-handle.js';
import { PACKAGE } from '../../version.js';

const OPERATION = 'events.stream';

/**
 * Opens a send stream of your own for high-rate publishing (see {@link EventStreamHandle}). A
 * function rather than a member of the events client, so an app that never calls it does not
 * bundle it. The stream opens on the first `send()`, and again after a reconnect.
 *
 * @throws ValidationError for a bad option.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { eventStream } from '@kubemq/events';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'ticker' });
 * await using stream = eventStream(client);
 * for (let i = 0; i < 1000; i++) await stream.send({ channel: 'ticks', body: String(i) });
 * await stream.flush();
 * ```
 */
export function eventStream(client: KubemqClient, options?: EventStreamOptions): EventStreamHandle {
  const internals = clientInternals(client, OPERATION, PACKAGE);
  return new EventStreamHandleImpl(internals, readEventStreamOptions(options, OPERATION).maxQueued);
}

class EventStreamHandleImpl implements EventStreamHandle {
  private readonly subject = new Broadcast<EventStreamFailure>();
  private readonly stream: EventsSendStream;
  readonly failures = iterableObservable(this.subject.observable);

  constructor(
    private readonly internals: ClientInternals,
    maxQueued: number,
  ) {
    this.stream = new EventsSendStream(internals, {
      operation: OPERATION,
      maxQueued,
      onFailure: (id: string, error: KubemqError) => {
        if (this.subject.observed) this.subject.next({ id, error });
        else warnRejected(internals, OPERATION, id, error);
      },
    });
  }

  send(event: Event, given?: CallOptions): Promise<EventStreamSendResult> {
    let wire;
    let timeoutMs;
    let signal;
    const maxBodyBytes = this.internals.options.maxMessageBytes;
    try {
      const options = readCallOptions(given, OPERATION);
      wire = buildEvent(event, this.internals.clientId, OPERATION, maxBodyBytes);
      signal = options.signal;
      timeoutMs = callTimeoutMs(this.internals, options.timeoutMs);
    } catch (err) {
      return Promise.reject(withOperation(err, OPERATION, event?.channel));
    }
    const written = wire;
    const result: EventStreamSendResult = { id: written.EventID };
    return tracedSend(
      this.internals.telemetry,
      () => eventSendOperation('events', written),
      () => requireBuiltEventFits(written, { operation: OPERATION, pattern: 'events', maxBodyBytes }),
      () => this.stream.write(written, { signal, timeoutMs }).then(() => result),
    );
  }

  flush(given?: CallOptions): Promise<void> {
    let signal;
    let timeoutMs;
    try {
      const options = readCallOptions(given, `${OPERATION}.flush`);
      signal = options.signal;
      timeoutMs = callTimeoutMs(this.internals, options.timeoutMs);
    } catch (err) {
      return Promise.reject(withOperation(err, `${OPERATION}.flush`, undefined));
    }
    return this.stream.flush({ signal, timeoutMs });
  }

  async close(given?: CallOptions): Promise<void> {
    const { signal, timeoutMs } = checked(`${OPERATION}.close`, undefined, () => {
      const options = readCallOptions(given, `${OPERATION}.close`);
      return {
        signal: options.signal,
        timeoutMs: options.timeoutMs === undefined ? this.internals.options.defaultTimeoutMs : validatePositiveInt(options.timeoutMs, 'timeoutMs', { min: 0 }),
      };
    });
    try {
      await this.stream.close({ timeoutMs, signal });
    } finally {
      this.subject.complete();
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
