import type { KubemqClient, IterableObservable } from '@kubemq/core';
import {
  clientInternals,
  eventSendOperation,
  sendEventOnce,
  traced,
  validateSendMode,
  validatePositiveInt,
  validateSignal,
  type ClientInternals,
} from '@kubemq/core/internal';
import { buildEvent } from './build-event.js';
import { EventStreamHandleImpl, type EventStreamHandle } from './event-stream-handle.js';
import { SEND_EVENT } from './methods.js';
import { EventsSendStream } from './send-stream.js';
import { subscribeEvents } from './subscribe.js';
import { callTimeoutMs } from './timeouts.js';
import type {
  CallOptions,
  Event,
  EventReceive,
  EventsClientOptions,
  EventSendResult,
  EventsSendMode,
  EventsSubscription,
  EventStreamOptions,
} from './types.js';

/** Unwritten events the shared send stream holds while (re)connecting. */
export const DEFAULT_MAX_QUEUED = 10_000;

/** One shared send stream per client, however many EventsClient objects wrap it. */
const sharedStreams = new WeakMap<KubemqClient, EventsSendStream>();

/**
 * Events: fire-and-forget publish/subscribe. Attach one to a connected client with
 * {@link events} or `new EventsClient(client)`.
 */
export class EventsClient {
  private readonly internals: ClientInternals;
  private readonly sendMode: EventsSendMode;

  constructor(
    private readonly client: KubemqClient,
    options: EventsClientOptions = {},
  ) {
    this.internals = clientInternals(client);
    this.sendMode = validateSendMode(options.sendMode, 'events');
  }

  /**
   * Publishes one event and resolves when the broker accepted it. Rejects with a ValidationError
   * (nothing sent) for bad input, or with the broker's error.
   */
  async send(event: Event, options: CallOptions = {}): Promise<EventSendResult> {
    const operation = 'events.send';
    const wire = buildEvent(event, this.internals.clientId, operation, this.internals.options.maxMessageBytes);
    const signal = validateSignal(options.signal);
    const timeoutMs = callTimeoutMs(this.internals, options.timeoutMs);
    return traced(
      this.internals.telemetry,
      () => eventSendOperation('events', wire),
      async (): Promise<EventSendResult> => {
        if (this.sendMode === 'stream') {
          await this.sharedStream().send(wire, { signal, timeoutMs });
          return { id: wire.EventID, sent: true };
        }
        return sendEventOnce(this.internals, SEND_EVENT, wire, { operation, timeoutMs, signal });
      },
    );
  }

  /** Opens a send stream of your own for high-rate publishing (see {@link EventStreamHandle}). */
  stream(options: EventStreamOptions = {}): EventStreamHandle {
    const maxQueued =
      options.maxQueued === undefined ? DEFAULT_MAX_QUEUED : validatePositiveInt(options.maxQueued, 'maxQueued');
    return new EventStreamHandleImpl(this.internals, maxQueued);
  }

  /**
   * Subscribes to a channel or a wildcard pattern. The Observable is cold: subscribing opens the
   * subscription, unsubscribing cancels it; `for await` works too. It re-opens by itself after a
   * reconnect (events published while it was down are not delivered: at-most-once).
   */
  subscribe(options: EventsSubscription): IterableObservable<EventReceive> {
    return subscribeEvents(this.internals, options);
  }

  private sharedStream(): EventsSendStream {
    let stream = sharedStreams.get(this.client);
    if (!stream) {
      stream = new EventsSendStream(this.internals, { operation: 'events.send', maxQueued: DEFAULT_MAX_QUEUED });
      sharedStreams.set(this.client, stream);
    }
    return stream;
  }
}

/**
 * Attaches the events pattern to a client.
 */
export function events(client: KubemqClient, options?: EventsClientOptions): EventsClient {
  return new EventsClient(client, options);
}
