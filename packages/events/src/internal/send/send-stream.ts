import { randomBytes } from 'node:crypto';
import { KubemqError } from '@kubemq/core';
import {
  brokerError,
  requireEventFits,
  StreamSender,
  type AnswerMatcher,
  type ClientInternals,
  type CloseBounds,
  type Event as WireEvent,
  type Result,
  type SendEntry,
} from '@kubemq/core/internal';
import { SEND_EVENTS_STREAM } from '../methods.js';
import { callTimeoutMs } from '../timeouts.js';

export type { CloseBounds };

/** One event, or a flush, waiting for the broker's verdict. */
type Entry = SendEntry<WireEvent, void>;

export interface SendStreamOptions {
  operation: string;
  /** Unwritten events past this count make send() fail with BUFFER_FULL. */
  maxQueued: number;
  /** Broker errors for events nobody tracks individually (the stream handle's fire-and-forget writes). */
  onFailure?: (eventId: string, error: KubemqError) => void;
}

export interface ConfirmOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

/** The log line for an event the broker refused when nobody listens for failures (structured like the others: channel, code, error). */
export function warnRejected(internals: ClientInternals, operation: string, eventId: string, error: KubemqError): void {
  internals.logger.warn(`${operation}: the broker rejected event ${eventId}`, {
    eventId,
    ...(error.channel !== undefined && { channel: error.channel }),
    code: error.code,
    error: error.message,
  });
}

const MARKER_PREFIX = '__kubemq_marker__';

/**
 * `SendEventsStream` for `Store=false` events, with per-event verdicts, on core's StreamSender
 * (lazy open once the client is ready, backpressure, breaks, bounded close).
 *
 * The broker answers such an event on this stream only when it fails, and it handles a stream's
 * events one at a time, in order, answering in order (kubemq-community `SendEventsStream` is a
 * single Recv → publish → Send loop). So after each burst of writes the stream writes a *marker*:
 * an event with an empty channel, which the broker always rejects (`Error 102`) without publishing
 * anything. When the marker's answer arrives, every event written before it that got no error
 * answer was accepted. One marker per burst keeps the cost per event at one write.
 */
export class EventsSendStream {
  readonly #sender: StreamSender<WireEvent, Result, void>;
  readonly #internals: ClientInternals;

  constructor(internals: ClientInternals, options: SendStreamOptions) {
    this.#internals = internals;
    const { operation } = options;
    const closed = (why: string) => new KubemqError({ code: 'CLOSED', message: `${operation}: ${why}`, operation });
    this.#sender = new StreamSender(internals, {
      operation,
      method: SEND_EVENTS_STREAM,
      matcher: new MarkerMatcher(internals, options),
      ending: 'server-ends',
      maxQueued: options.maxQueued,
      checkSize: requireEventFits,
      late: 'got no answer from the broker',
      closedError: () => closed('the send stream is closed'),
      abandonedError: (written) =>
        closed(
          written
            ? 'the send stream was closed before the broker answered (the event may or may not have been published)'
            : 'the send stream was closed before the event was written',
        ),
    });
  }

  /** Events waiting to be written. */
  get queued(): number {
    return this.#sender.queued;
  }

  /** Sends one event and resolves once the broker has accepted it (rejects with its error). */
  send(event: WireEvent, opts: ConfirmOptions = {}): Promise<void> {
    return this.#sender.send(event, this.#bounds(event.Channel, opts));
  }

  /**
   * Writes one event without waiting for its verdict; resolves when it is handed to the transport.
   * A timeout or abort before that takes it out of the queue (it is never written).
   */
  write(event: WireEvent, opts: ConfirmOptions = {}): Promise<void> {
    // Fast path: nothing waits ahead of it, so it goes out now (no timer, no queue entry).
    if (!opts.signal?.aborted && this.#sender.writeNow(event)) return Promise.resolve();
    return this.#sender.send(event, this.#bounds(event.Channel, opts), true);
  }

  /** Resolves when the broker has processed every event written before this call. */
  flush(opts: ConfirmOptions = {}): Promise<void> {
    return this.#sender.flush(this.#bounds('', opts));
  }

  /**
   * Stops taking events, waits for the verdicts of what was written, half-closes and waits for the
   * server to end the call. `timeoutMs` bounds all of it: what is left then fails with `CLOSED` (a
   * verdict still on its way is lost). An aborted `signal` cancels at once. Idempotent: every call
   * returns the first one's promise, and each call's bound can end it. Never rejects.
   */
  close(bounds: CloseBounds): Promise<void> {
    return this.#sender.close(bounds);
  }

  #bounds(channel: string, opts: ConfirmOptions) {
    return { channel, timeoutMs: callTimeoutMs(this.#internals, opts.timeoutMs), signal: opts.signal };
  }
}

/** A marker in flight: its answer confirms every event written before it. */
interface Marker {
  confirms: Entry[];
  /** Fire-and-forget writes (the stream handle's) it vouches for. */
  unanswered: number;
  /** The flush (or close) that wrote it, waiting for it. */
  flush: Entry | undefined;
}

/**
 * The events stream's answers: only failures (matched to their sends by event id, first in,
 * first out) and the markers' answers, which confirm everything written before them.
 */
class MarkerMatcher implements AnswerMatcher<WireEvent, Result, void> {
  /** Events written and not confirmed, by id (several with one id are matched first in, first out). */
  readonly #inflight = new Map<string, Entry[]>();
  /** Events written since the last marker. */
  #sinceMarker: Entry[] = [];
  /** Fire-and-forget writes since the last marker. */
  #unansweredSinceMarker = 0;
  /** Fire-and-forget writes a break lost unconfirmed: the next flush says so instead of resolving. */
  #lost: { count: number; error: KubemqError } | undefined;
  readonly #markers = new Map<string, Marker>();
  #markerScheduled = false;
  #markerCount = 0;
  /** Marker ids are unique per stream, so answers on one never confirm events of another. */
  readonly #markerPrefix = `${MARKER_PREFIX}${randomBytes(6).toString('hex')}_`;

  readonly #internals: ClientInternals;
  readonly #options: SendStreamOptions;

  constructor(internals: ClientInternals, options: SendStreamOptions) {
    this.#internals = internals;
    this.#options = options;
  }

  get outstanding(): number {
    return this.#markers.size + this.#sinceMarker.length;
  }

  proof(): WireEvent {
    return markerEvent(`${this.#markerPrefix}${++this.#markerCount}`, this.#internals.clientId);
  }

  written(entry: Entry): void {
    if (entry.proof) {
      const lost = this.#lost;
      this.#lost = undefined;
      if (lost) entry.reject(lostError(lost, this.#options.operation));
      this.#markers.set(entry.request.EventID, { confirms: this.#sinceMarker, unanswered: this.#unansweredSinceMarker, flush: entry });
      this.#sinceMarker = [];
      this.#unansweredSinceMarker = 0;
      return;
    }
    this.#sinceMarker.push(entry);
    const list = this.#inflight.get(entry.request.EventID);
    if (list) list.push(entry);
    else this.#inflight.set(entry.request.EventID, [entry]);
  }

  /** Confirms the burst: one marker, written after the sends of this tick, answers for all of them. */
  burstWritten(write: (request: WireEvent) => boolean): void {
    if (this.#sinceMarker.length === 0 || this.#markerScheduled) return;
    this.#markerScheduled = true;
    queueMicrotask(() => {
      this.#markerScheduled = false;
      if (this.#sinceMarker.length === 0) return;
      const marker = this.proof();
      const confirms = this.#sinceMarker;
      const unanswered = this.#unansweredSinceMarker;
      this.#markers.set(marker.EventID, { confirms, unanswered, flush: undefined });
      this.#sinceMarker = [];
      this.#unansweredSinceMarker = 0;
      if (write(marker)) return;
      // No call to write it on (it is closing): the next proof confirms them.
      this.#markers.delete(marker.EventID);
      this.#sinceMarker = confirms.concat(this.#sinceMarker);
      this.#unansweredSinceMarker += unanswered;
    });
  }

  answer(result: Result): void {
    const marker = this.#markers.get(result.EventID);
    if (marker) {
      this.#markers.delete(result.EventID);
      for (const entry of marker.confirms) {
        this.#forget(entry);
        entry.resolve();
      }
      marker.flush?.resolve();
      return;
    }
    if (!result.Error && result.Sent) return; // only errors are answered for Store=false
    const { operation } = this.#options;
    const list = this.#inflight.get(result.EventID);
    const entry = list?.shift();
    if (list && list.length === 0) this.#inflight.delete(result.EventID);
    const channel = entry?.request.Channel;
    const error = brokerError(result.Error || 'the broker did not accept the event', { operation, channel: channel || undefined });
    if (entry) entry.reject(error);
    else if (this.#options.onFailure) this.#options.onFailure(result.EventID, error);
    else warnRejected(this.#internals, operation, result.EventID, error);
  }

  writtenUnanswered(): void {
    this.#unansweredSinceMarker++;
  }

  /** Fails what was written and not confirmed yet (it may or may not have reached the broker). */
  fail(err: KubemqError, own?: (entry: Entry) => KubemqError | undefined): void {
    for (const list of this.#inflight.values()) for (const entry of list) entry.reject(own?.(entry) ?? err);
    this.#inflight.clear();
    let unanswered = this.#unansweredSinceMarker;
    for (const marker of this.#markers.values()) {
      marker.flush?.reject(err);
      // A flush that hears of the break itself says so; the others' writes wait for the next flush.
      if (!marker.flush) unanswered += marker.unanswered;
    }
    this.#markers.clear();
    this.#unansweredSinceMarker = 0;
    if (unanswered > 0) this.#lost = { count: unanswered + (this.#lost?.count ?? 0), error: err };
    for (const entry of this.#sinceMarker) entry.reject(err);
    this.#sinceMarker = [];
  }

  #forget(entry: Entry): void {
    const list = this.#inflight.get(entry.request.EventID);
    if (!list) return;
    const at = list.indexOf(entry);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.#inflight.delete(entry.request.EventID);
  }
}

/** The error of the flush after a break that took fire-and-forget writes with it unconfirmed. */
function lostError(lost: { count: number; error: KubemqError }, operation: string): KubemqError {
  return new KubemqError({
    code: lost.error.code,
    retryable: lost.error.retryable,
    operation,
    message: `${operation}: the stream broke before the broker confirmed ${lost.count} event(s) written since the last flush; they may or may not have been published (${lost.error.message})`,
    cause: lost.error,
  });
}

/** An event the broker always rejects (`Error 102`, empty channel) without publishing anything. */
export function markerEvent(id: string, clientId: string): WireEvent {
  return { EventID: id, ClientID: clientId, Channel: '', Metadata: '', Body: Buffer.alloc(0), Store: false, Tags: {} };
}

export function isMarkerId(id: string): boolean {
  return id.startsWith(MARKER_PREFIX);
}
