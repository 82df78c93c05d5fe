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
import { buildEventStore } from './build-event.js';
import { EventStoreStreamHandleImpl, type EventStoreStreamHandle } from './event-store-stream-handle.js';
import { SEND_EVENT } from './methods.js';
import { StoreSendStream } from './send-stream.js';
import { subscribeEventsStore } from './subscribe.js';
import { callTimeoutMs } from './timeouts.js';
import type {
  CallOptions,
  EventStore,
  EventStoreReceive,
  EventStoreResult,
  EventStoreStreamOptions,
  EventsStoreClientOptions,
  EventsStoreSendMode,
  EventsStoreSubscription,
} from './types.js';

/** Unwritten events a send stream holds while (re)connecting. */
export const DEFAULT_MAX_QUEUED = 10_000;

/** One shared send stream per client, however many EventsStoreClient objects wrap it. */
const sharedStreams = new WeakMap<KubemqClient, StoreSendStream>();

/**
 * Events store: persistent publish/subscribe with replay. Attach one to a connected client with
 * {@link eventsStore} or `new EventsStoreClient(client)`.
 */
export class EventsStoreClient {
  private readonly internals: ClientInternals;
  private readonly sendMode: EventsStoreSendMode;

  constructor(
    private readonly client: KubemqClient,
    options: EventsStoreClientOptions = {},
  ) {
    this.internals = clientInternals(client);
    this.sendMode = validateSendMode(options.sendMode, 'eventsStore');
  }

  /**
   * Stores one event; resolves with the broker's answer, rejects with its error. The broker
   * answers before the event is persisted (see {@link EventStoreResult}).
   */
  async send(event: EventStore, options: CallOptions = {}): Promise<EventStoreResult> {
    const operation = 'eventsStore.send';
    const wire = buildEventStore(event, this.internals.clientId, operation, this.internals.options.maxMessageBytes);
    const signal = validateSignal(options.signal);
    const timeoutMs = callTimeoutMs(this.internals, options.timeoutMs);
    return traced(
      this.internals.telemetry,
      () => eventSendOperation('events_store', wire),
      () =>
        this.sendMode === 'stream'
          ? this.sharedStream().send(wire, { signal, timeoutMs })
          : sendEventOnce(this.internals, SEND_EVENT, wire, { operation, timeoutMs, signal }),
    );
  }

  /** Opens a send stream of your own for high-rate storing (see {@link EventStoreStreamHandle}). */
  stream(options: EventStoreStreamOptions = {}): EventStoreStreamHandle {
    const maxQueued =
      options.maxQueued === undefined ? DEFAULT_MAX_QUEUED : validatePositiveInt(options.maxQueued, 'maxQueued');
    return new EventStoreStreamHandleImpl(this.internals, maxQueued);
  }

  /**
   * Subscribes from a start position. The Observable is cold (subscribing opens the subscription,
   * unsubscribing cancels it) and also works with `for await`. After a reconnect it re-opens at the
   * last delivered sequence + 1: no gap, no repeat.
   *
   * Each subscription (and each re-open) uses a ClientID of its own, `<clientId>-<random>`, because
   * the broker keeps events-store subscriptions durable per ClientID and would otherwise refuse a
   * second one or ignore the start position (docs/broker-behaviour.md §2.2).
   */
  subscribe(options: EventsStoreSubscription): IterableObservable<EventStoreReceive> {
    return subscribeEventsStore(this.internals, options);
  }

  private sharedStream(): StoreSendStream {
    let stream = sharedStreams.get(this.client);
    if (!stream) {
      stream = new StoreSendStream(this.internals, { operation: 'eventsStore.send', maxQueued: DEFAULT_MAX_QUEUED });
      sharedStreams.set(this.client, stream);
    }
    return stream;
  }
}

/** Attaches the events-store pattern to a client. */
export function eventsStore(client: KubemqClient, options?: EventsStoreClientOptions): EventsStoreClient {
  return new EventsStoreClient(client, options);
}
