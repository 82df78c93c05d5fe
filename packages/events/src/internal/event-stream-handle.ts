import { Subject, type Observable } from 'rxjs';
import type { KubemqError } from '@kubemq/core';
import { eventSendOperation, traced, validateSignal, type ClientInternals } from '@kubemq/core/internal';
import { buildEvent } from './build-event.js';
import { EventsSendStream } from './send-stream.js';
import { callTimeoutMs } from './timeouts.js';
import type { CallOptions, Event, EventStreamFailure } from './types.js';

/**
 * A send stream you own, for high-rate publishing: `send()` writes and returns as soon as the
 * event is handed to the transport (await it for backpressure); the broker's per-event errors
 * arrive on `failures`; `flush()` waits until the broker has processed everything written so far.
 *
 * @example
 * ```ts
 * await using stream = events(client).stream();
 * await stream.send({ channel: 'ticks', body: '1' });
 * await stream.flush();
 * ```
 */
export interface EventStreamHandle extends AsyncDisposable {
  /**
   * Writes one event. Resolves when it is handed to the transport (not when the broker accepted it:
   * its error, if any, arrives on `failures`). Rejects with a ValidationError for bad input (nothing
   * is written), `BUFFER_FULL` when too many events wait, `CLOSED` after close(), and `TIMEOUT` /
   * `CANCELLED` when `timeoutMs` passes or `signal` aborts before it could be written (while
   * reconnecting, say); such an event is never written.
   */
  send(event: Event, options?: CallOptions): Promise<void>;
  /** Per-event broker errors, correlated by event id. Completes when the handle is closed. */
  readonly failures: Observable<EventStreamFailure>;
  /**
   * Resolves when the broker has processed every event written before this call (their errors,
   * if any, have been emitted on `failures`). Rejects when the stream broke before that.
   */
  flush(options?: CallOptions): Promise<void>;
  /** Waits for outstanding verdicts, half-closes and waits for the broker to end the stream. */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

export class EventStreamHandleImpl implements EventStreamHandle {
  private readonly subject = new Subject<EventStreamFailure>();
  private readonly stream: EventsSendStream;
  readonly failures: Observable<EventStreamFailure> = this.subject.asObservable();

  constructor(
    private readonly internals: ClientInternals,
    maxQueued: number,
  ) {
    this.stream = new EventsSendStream(internals, {
      operation: 'events.stream',
      maxQueued,
      onFailure: (eventId: string, error: KubemqError) => {
        if (this.subject.observed) this.subject.next({ eventId, error });
        else internals.logger.warn(`events.stream: the broker rejected event ${eventId}`, { error: error.message });
      },
    });
  }

  send(event: Event, options: CallOptions = {}): Promise<void> {
    let wire;
    let timeoutMs;
    let signal;
    try {
      wire = buildEvent(event, this.internals.clientId, 'events.stream', this.internals.options.maxMessageBytes);
      signal = validateSignal(options.signal);
      timeoutMs = callTimeoutMs(this.internals, options.timeoutMs);
    } catch (err) {
      return Promise.reject(err);
    }
    const written = wire;
    return traced(this.internals.telemetry, () => eventSendOperation('events', written), () => this.stream.write(written, { signal, timeoutMs }));
  }

  flush(options: CallOptions = {}): Promise<void> {
    return this.stream.flush({ signal: options.signal, timeoutMs: options.timeoutMs });
  }

  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    try {
      await this.stream.close(options.timeoutMs);
    } finally {
      this.subject.complete();
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
