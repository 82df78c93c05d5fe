import { KubemqError } from '@kubemq/core';
import {
  brokerError,
  requireEventFits,
  StreamSender,
  type AnswerMatcher,
  type ClientInternals,
  type Event as WireEvent,
  type Result,
  type SendEntry,
} from '@kubemq/core/internal';
import { SEND_EVENTS_STREAM } from '../methods.js';
import type { EventStoreSendResult } from '../messages.js';
import { callTimeoutMs } from '../timeouts.js';

/** One event waiting for the broker's answer. */
type Entry = SendEntry<WireEvent, EventStoreSendResult>;

export interface SendStreamOptions {
  operation: string;
  /** Unwritten events past this count make send() fail with BUFFER_FULL. */
  maxQueued: number;
}

/** One send's bounds, already validated. */
export interface StreamSendOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

/** What ends close()'s waiting, already validated. */
export interface CloseBound {
  /** The bound of the whole close (default: the client's `defaultTimeoutMs`); 0 waits for nothing. */
  timeoutMs?: number | undefined;
  /** Aborting it ends the waiting at once. */
  signal?: AbortSignal | undefined;
}

/**
 * `SendEventsStream` for `Store=true` events, on core's StreamSender (lazy open once the client
 * is ready, backpressure, breaks, bounded close). The broker answers every stored event on this
 * stream (`Result{EventID, Sent, Error}`), in order; answers are matched to senders by EventID
 * (several events with one id are matched first-in, first-out).
 *
 * `close()` waits for outstanding answers, half-closes and waits for the server's end, all within
 * one bound.
 */
export class StoreSendStream {
  readonly #sender: StreamSender<WireEvent, Result, EventStoreSendResult>;
  readonly #internals: ClientInternals;

  constructor(internals: ClientInternals, options: SendStreamOptions) {
    this.#internals = internals;
    const { operation } = options;
    const closed = (why: string) => new KubemqError({ code: 'CLOSED', message: `${operation}: ${why}`, operation, retryable: false });
    this.#sender = new StreamSender(internals, {
      operation,
      method: SEND_EVENTS_STREAM,
      matcher: new FifoByIdMatcher(internals, operation),
      ending: 'server-ends',
      maxQueued: options.maxQueued,
      checkSize: requireEventFits,
      late: 'got no answer from the broker',
      closedError: () => closed('the send stream is closed'),
      abandonedError: (written) =>
        closed(
          written
            ? 'the send stream was closed before the broker answered (the event may or may not be stored)'
            : 'the send stream was closed before the event was written',
        ),
    });
  }

  get queued(): number {
    return this.#sender.queued;
  }

  /** Sends one event; resolves with the broker's answer, rejects with its error. */
  send(event: WireEvent, opts: StreamSendOptions = {}): Promise<EventStoreSendResult> {
    return this.#sender.send(event, { channel: event.Channel, timeoutMs: callTimeoutMs(this.#internals, opts.timeoutMs), signal: opts.signal });
  }

  /**
   * Stops taking events, waits for outstanding answers, half-closes and waits for the broker to end
   * the call. `bound` limits all of it: once it passes (or its signal aborts) the call is cancelled,
   * and what is still unanswered or unwritten fails with `CLOSED`. Idempotent: every call resolves
   * when the one close is over, and each call's bound can end the waiting.
   */
  close(bound: CloseBound = {}): Promise<void> {
    return this.#sender.close({ timeoutMs: bound.timeoutMs ?? this.#internals.options.defaultTimeoutMs, signal: bound.signal });
  }
}

/**
 * The events store's answers: one per event, in order, matched by event id (first in, first out
 * for events that share an id). A send that timed out keeps its place until its answer comes, so
 * the answers after it still find their own sends. An id normally has one send waiting, held as
 * itself; only ids that several sends share hold a list.
 */
class FifoByIdMatcher implements AnswerMatcher<WireEvent, Result, EventStoreSendResult> {
  readonly #inflight = new Map<string, Entry | Entry[]>();
  outstanding = 0;

  readonly #internals: ClientInternals;
  readonly #operation: string;

  constructor(internals: ClientInternals, operation: string) {
    this.#internals = internals;
    this.#operation = operation;
  }

  written(entry: Entry): void {
    const id = entry.request.EventID;
    const held = this.#inflight.get(id);
    if (held === undefined) this.#inflight.set(id, entry);
    else if (Array.isArray(held)) held.push(entry);
    else this.#inflight.set(id, [held, entry]);
    this.outstanding++;
  }

  answer(result: Result): void {
    const entry = this.#take(result.EventID);
    if (!entry) {
      this.#internals.logger.warn(`${this.#operation}: an answer for an unknown event ${result.EventID}`, { eventId: result.EventID });
      return;
    }
    this.outstanding--;
    if (result.Sent && !result.Error) {
      entry.resolve({ id: result.EventID, sent: true });
    } else {
      entry.reject(
        brokerError(result.Error || 'the broker did not accept the event', { operation: this.#operation, channel: entry.request.Channel }),
      );
    }
  }

  fail(err: KubemqError, own?: (entry: Entry) => KubemqError | undefined): void {
    for (const held of this.#inflight.values()) {
      for (const entry of Array.isArray(held) ? held : [held]) entry.reject(own?.(entry) ?? err);
    }
    this.#inflight.clear();
    this.outstanding = 0;
  }

  /** The oldest send waiting for `id`'s answer, no longer held. */
  #take(id: string): Entry | undefined {
    const held = this.#inflight.get(id);
    if (!Array.isArray(held)) {
      if (held) this.#inflight.delete(id);
      return held;
    }
    const entry = held.shift();
    if (held.length === 0) this.#inflight.delete(id);
    return entry;
  }
}
