import { KubemqError, ValidationError, type CallOptions } from '@kubemq/core';
import {
  checked,
  callQuietly,
  DEFAULT_ITERATOR_BUFFER_SIZE,
  eventProcessOperation,
  onAbort,
  readCallOptions,
  validatePositiveInt,
  validateSignal,
  type ClientInternals,
} from '@kubemq/core/internal';
import type { Subscription } from 'rxjs';
import { isProbeTags } from '../readiness/probe-tags.js';
import { DEFAULT_READY_TIMEOUT_MS, ListenerReadiness, type ProbePublisher } from '../readiness/readiness.js';
import { receivedEvents } from '../subscribe/subscribe.js';
import { buildEventsSubscribe, LISTEN_KEYS } from '../subscribe/subscribe-request.js';
import type { EventReceive } from '../types.js';
import { HandlerQueue } from './handler-queue.js';
import type { EventListener, EventListenerStats, ListenOptions } from './listen-types.js';

const OPERATION = 'events.listen';

/** How a listener is wired to its events client (and, for a typed channel, to its codec). */
export interface ListenerWiring<E extends EventReceive> {
  /** Publishes readiness probes through the client's send path. */
  publish: ProbePublisher;
  /** What the handler gets for a received event (a typed channel decodes it). */
  deliver: (event: EventReceive) => E;
}

/**
 * The running handler behind `eventListener()` (on a client or a typed channel): a recoverable
 * subscription whose events go through the user's handler, at most `concurrency` at once.
 * Readiness probes are taken out here and never reach the handler.
 */
export class EventsListener<E extends EventReceive> implements EventListener {
  readonly channel: string;
  readonly group: string | undefined;
  readonly done: Promise<void>;

  private readonly readiness: ListenerReadiness;
  private readonly queue: HandlerQueue<E>;
  private readonly onError: (error: unknown, event?: E) => void;
  private readonly counts = { received: 0, handled: 0, handlerErrors: 0, dropped: 0, recoveries: 0 };
  /** Aborts when the listener begins to stop: `ready()` calls end then. */
  private readonly stopping = new AbortController();
  private stopped: Promise<void> | undefined;
  private failure: KubemqError | undefined;
  private readonly subscription: Subscription;
  private readonly detach: () => void;
  private resolveDone!: () => void;
  private rejectDone!: (err: unknown) => void;

  constructor(
    private readonly internals: ClientInternals,
    options: ListenOptions,
    private readonly handler: (event: E) => unknown,
    private readonly wiring: ListenerWiring<E>,
  ) {
    const plan = buildEventsSubscribe(options, internals.clientId, OPERATION, LISTEN_KEYS);
    this.channel = plan.request.Channel;
    this.group = plan.request.Group === '' ? undefined : plan.request.Group;
    const invalid = (field: string, message: string) => new ValidationError({ message: `invalid ${field}: ${message}`, operation: OPERATION, channel: this.channel, field });
    if (typeof handler !== 'function') throw invalid('handler', `must be a function, got ${typeof handler}`);
    if (options.onError !== undefined && typeof options.onError !== 'function') throw invalid('onError', `must be a function, got ${typeof options.onError}`);
    const { concurrency, signal } = checked(OPERATION, this.channel, () => ({
      concurrency: options.concurrency === undefined ? 1 : validatePositiveInt(options.concurrency, 'concurrency'),
      signal: validateSignal(options.signal),
    }));
    this.onError =
      options.onError ??
      ((error, event) =>
        internals.logger.warn(`${OPERATION} on "${this.channel}": ${errorText(error)}`, {
          channel: this.channel,
          ...(KubemqError.isKubemqError(error) && { code: error.code }),
          ...(event !== undefined && { eventId: event.id }),
        }));
    this.queue = new HandlerQueue<E>(concurrency, plan.bufferSize ?? DEFAULT_ITERATOR_BUFFER_SIZE, (event) => this.handle(event));
    this.readiness = new ListenerReadiness(internals, this.channel, this.group, wiring.publish, 'events.ready');
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // A failure is reported through onError too; nobody has to await `done`.
    this.done.catch(() => undefined);

    // A client that gave up reconnecting ends the listener with that failure (done rejects).
    const untrack = internals.track({
      drain: (failure) => {
        if (failure) this.fail(failure);
        return this.stop();
      },
    });
    // After a reconnect the subscription is re-opened and must be proven again.
    const unhookReconnect = internals.onReconnect(() => this.readiness.lost());
    let stopListening = (): void => undefined;
    this.detach = () => {
      untrack();
      unhookReconnect();
      stopListening();
    };

    this.subscription = receivedEvents(internals, plan, OPERATION, {
      opened: (attempt) => {
        if (attempt > 0) this.counts.recoveries++;
        this.readiness.opened();
      },
      lost: () => this.readiness.lost(),
      refused: (error) => this.report(error),
    }).subscribe({
      next: (event) => this.receive(event),
      error: (err: unknown) => this.fail(err),
      // The client closed: the events in hand are still handled.
      complete: () => void this.stop(),
    });
    // Aborting the signal stops the listener (at once when it already has).
    stopListening = onAbort(signal, () => void this.stop());
    // Stopped while subscribing (an aborted signal, or a subscription that ended at once).
    if (this.stopping.signal.aborted) this.subscription.unsubscribe();
  }

  get stats(): EventListenerStats {
    return { ...this.counts, running: this.queue.running, waiting: this.queue.waiting };
  }

  async ready(options?: CallOptions): Promise<void> {
    const operation = 'events.ready';
    const { timeoutMs, signal } = checked(operation, this.channel, () => {
      const o = readCallOptions(options, operation);
      return {
        timeoutMs: o.timeoutMs === undefined ? DEFAULT_READY_TIMEOUT_MS : validatePositiveInt(o.timeoutMs, 'timeoutMs'),
        signal: o.signal,
      };
    });
    await this.readiness.prove({ timeoutMs, signal, stopped: this.stopping.signal, reason: () => this.failure ?? this.closedError() });
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping.abort();
      this.subscription?.unsubscribe();
      await this.queue.idle();
      this.detach();
      if (this.failure === undefined) this.resolveDone();
      else this.rejectDone(this.failure);
    })();
    return this.stopped;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  private receive(wire: EventReceive): void {
    this.readiness.arrived();
    if (isProbeTags(wire.tags)) return;
    if (this.stopping.signal.aborted) return;
    this.counts.received++;
    const event = this.wiring.deliver(wire);
    if (this.queue.offer(event)) return;
    this.counts.dropped++;
    this.report(
      new KubemqError({
        code: 'BUFFER_FULL',
        message: `${OPERATION} on "${this.channel}": dropped event ${event.id}, ${this.queue.waiting} events already wait for a handler (bufferSize)`,
        operation: OPERATION,
        channel: this.channel,
        retryable: true,
      }),
      event,
    );
  }

  /** Runs the handler for one event; never rejects (a failure goes to onError). */
  private async handle(event: E): Promise<void> {
    // The process span is a child of the sender's (its context came in the tags), never of the
    // code that created the listener, and holds the handler's own spans; a handler failure fails it.
    // The client's telemetry is guarded: a start() that throws gives a span that records nothing.
    const span = this.internals.telemetry?.start(eventProcessOperation('events', event, this.group));
    try {
      await (span ? span.run(() => this.handler(event)) : this.handler(event));
      this.counts.handled++;
      span?.end();
    } catch (err) {
      this.counts.handlerErrors++;
      span?.end(err);
      this.report(err, event);
    }
  }

  /** The subscription ended on an error it cannot recover from: report it, then stop with it. */
  private fail(err: unknown): void {
    const error = KubemqError.isKubemqError(err)
      ? err
      : new KubemqError({ code: 'UNKNOWN', message: errorText(err), operation: OPERATION, channel: this.channel, cause: err });
    this.failure ??= error;
    this.report(error);
    void this.stop();
  }

  private report(error: unknown, event?: E): void {
    callQuietly(() => this.onError(error, event)); // a failing onError must not break the listener
  }

  private closedError(): KubemqError {
    return new KubemqError({ code: 'CLOSED', message: `the listener on "${this.channel}" is stopped`, operation: 'events.ready', channel: this.channel });
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
