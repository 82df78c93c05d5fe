import { eventSendOperation, traced, validateSignal, type ClientInternals } from '@kubemq/core/internal';
import { buildEventStore } from './build-event.js';
import { StoreSendStream } from './send-stream.js';
import { callTimeoutMs } from './timeouts.js';
import type { CallOptions, EventStore, EventStoreResult } from './types.js';

/**
 * A send stream you own, for high-rate storing: every event's promise settles with the broker's
 * answer for that event (matched by id); awaiting each send gives backpressure, or keep many in
 * flight and await them together.
 *
 * @example
 * ```ts
 * await using stream = eventsStore(client).stream();
 * const results = await Promise.all(lines.map((body) => stream.send({ channel: 'audit.import', body })));
 * ```
 */
export interface EventStoreStreamHandle extends AsyncDisposable {
  /**
   * Sends one event; resolves with the broker's answer, rejects with its error (or a
   * ValidationError, before anything is written; `BUFFER_FULL`; `CLOSED`).
   */
  send(event: EventStore, options?: CallOptions): Promise<EventStoreResult>;
  /** Waits for outstanding answers (bounded), half-closes and waits for the broker to end the stream. */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

export class EventStoreStreamHandleImpl implements EventStoreStreamHandle {
  private readonly stream: StoreSendStream;

  constructor(
    private readonly internals: ClientInternals,
    maxQueued: number,
  ) {
    this.stream = new StoreSendStream(internals, { operation: 'eventsStore.stream', maxQueued });
  }

  send(event: EventStore, options: CallOptions = {}): Promise<EventStoreResult> {
    let wire;
    let timeoutMs;
    let signal;
    try {
      wire = buildEventStore(event, this.internals.clientId, 'eventsStore.stream', this.internals.options.maxMessageBytes);
      signal = validateSignal(options.signal);
      timeoutMs = callTimeoutMs(this.internals, options.timeoutMs);
    } catch (err) {
      return Promise.reject(err);
    }
    const written = wire;
    return traced(this.internals.telemetry, () => eventSendOperation('events_store', written), () => this.stream.send(written, { signal, timeoutMs }));
  }

  close(options: { timeoutMs?: number } = {}): Promise<void> {
    return this.stream.close(options.timeoutMs);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
