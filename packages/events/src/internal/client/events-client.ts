import type { CallOptions, IterableObservable, KubemqClient } from '@kubemq/core';
import {
  clientInternals,
  eventSendOperation,
  requireBuiltEventFits,
  sendEventOnce,
  tracedSend,
  validateSendMode,
  closedOptions,
  DEFAULT_MAX_QUEUED,
  readCallOptions,
  withOperation,
  type ClientInternals,
  type Event as WireEvent,
} from '@kubemq/core/internal';
import { SEND_EVENT } from '../methods.js';
import { buildEvent } from '../send/build-event.js';
import { EventsSendStream } from '../send/send-stream.js';
import { subscribeEvents } from '../subscribe/subscribe.js';
import { callTimeoutMs } from '../timeouts.js';
import type { Event, EventReceive, EventSendResult, EventsOptions, EventsSendMode, EventsSubscription } from '../types.js';
import { PACKAGE } from '../../version.js';

/**
 * Events: fire-and-forget publish/subscribe, attached to a client by {@link events}.
 *
 * Only an object made by {@link events} is accepted where a client of this pattern is taken
 * (`eventListener()`, `eventChannel()`, which also take a `KubemqClient`): another object of this
 * shape, such as a decorator or a test double, is refused with a `ValidationError`
 * (`invalid client`). A test double should wrap a real client (and hand these functions the client
 * itself), or run against the broker of `@kubemq/testing`.
 *
 * @example
 * ```ts
 * const ev = events(client);
 * await using listener = eventListener(ev, { channel: 'orders.>' }, (e) => console.log(e.channel, e.text()));
 * await listener.ready();
 * await ev.send({ channel: 'orders.created', body: '{"id":1}' });
 * ```
 */
export interface EventsClient {
  /**
   * Publishes one event and resolves when the broker accepted it.
   *
   * @throws ValidationError for bad input (nothing is sent); the broker's error otherwise;
   *   TimeoutError after `timeoutMs` (default: the client's `defaultTimeoutMs`).
   */
  send(event: Event, options?: CallOptions): Promise<EventSendResult>;
  /**
   * Subscribes to a channel or a wildcard pattern. The Observable is cold: subscribing opens the
   * subscription, unsubscribing cancels it; `for await` reads it too. It re-opens by itself after
   * a reconnect (events published while it was down are not delivered: at-most-once). Readiness
   * probes are dropped. There is no readiness signal: to know when events reach you, use
   * `eventListener()` and its `ready()`.
   *
   * @throws ValidationError for bad options (nothing is opened).
   */
  subscribe(options: EventsSubscription): IterableObservable<EventReceive>;
}

/** One shared send stream per client, however many events clients wrap it. */
const sharedStreams = new WeakMap<KubemqClient, EventsSendStream>();

/** The events client behind {@link events}; typed channels and listeners recognise it with `instanceof`. */
export class EventsClientImpl implements EventsClient {
  readonly internals: ClientInternals;
  private readonly sendMode: EventsSendMode;

  constructor(
    private readonly client: KubemqClient,
    options?: EventsOptions,
  ) {
    this.internals = clientInternals(client, 'events', PACKAGE);
    const o = closedOptions(options, 'events', ['sendMode']);
    this.sendMode = validateSendMode(o.sendMode, 'events');
  }

  send(event: Event, given?: CallOptions): Promise<EventSendResult> {
    const operation = 'events.send';
    const maxBodyBytes = this.internals.options.maxMessageBytes;
    let wire: WireEvent;
    let signal: AbortSignal | undefined;
    let timeoutMs: number;
    try {
      const options = readCallOptions(given, operation);
      wire = buildEvent(event, this.internals.clientId, operation, maxBodyBytes);
      signal = options.signal;
      timeoutMs = callTimeoutMs(this.internals, options.timeoutMs);
    } catch (err) {
      return Promise.reject(withOperation(err, operation, event?.channel));
    }
    return tracedSend(
      this.internals.telemetry,
      () => eventSendOperation('events', wire),
      () => requireBuiltEventFits(wire, { operation, pattern: 'events', maxBodyBytes }),
      () => this.publish(wire, { timeoutMs, signal }),
    );
  }

  subscribe(options: EventsSubscription): IterableObservable<EventReceive> {
    return subscribeEvents(this.internals, options);
  }

  /** Sends a built event in this client's mode and resolves with the broker's acceptance (a listener's probes go this way too). */
  async publish(wire: WireEvent, ctx: { timeoutMs: number; signal: AbortSignal | undefined }): Promise<EventSendResult> {
    if (this.sendMode === 'unary') return sendEventOnce(this.internals, SEND_EVENT, wire, { operation: 'events.send', ...ctx });
    await this.sharedStream().send(wire, ctx);
    return { id: wire.EventID, sent: true };
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
 * Attaches the events pattern to a connected client (composition: nothing registers at import).
 *
 * @throws ValidationError for a bad option.
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
export function events(client: KubemqClient, options?: EventsOptions): EventsClient {
  return new EventsClientImpl(client, options);
}
