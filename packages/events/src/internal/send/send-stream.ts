import { randomBytes } from 'node:crypto';
import { KubemqError } from '@kubemq/core';
import {
  brokerError,
  deferred,
  mapError,
  openSendCall,
  sendPending,
  within,
  type BidiCall,
  type ClientInternals,
  type Deferred,
  type Event as WireEvent,
  type Result,
  type SendPending,
} from '@kubemq/core/internal';
import { SEND_EVENTS_STREAM } from '../methods.js';
import { callTimeoutMs } from '../timeouts.js';

/** One event waiting for the broker's verdict. */
type Pending = SendPending<void>;

type QueueItem =
  | { kind: 'event'; event: WireEvent; pending?: Pending; written?: Pending }
  | { kind: 'flush'; waiter: Pending };

/** A marker in flight: its answer confirms every event written before it. */
interface Marker {
  pendings: Pending[];
  waiters: Pending[];
}

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

/** Bounds a close: `timeoutMs` (already validated, 0 allowed) for the whole of it; `signal` ends it early. */
export interface CloseBounds {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** Unwritten events a send stream holds while (re)connecting, unless told otherwise. */
export const DEFAULT_MAX_QUEUED = 10_000;

const MARKER_PREFIX = '__kubemq_marker__';

/**
 * `SendEventsStream` for `Store=false` events, with per-event verdicts.
 *
 * The broker answers such an event on this stream only when it fails, and it handles a stream's
 * events one at a time, in order, answering in order (kubemq-community `SendEventsStream` is a
 * single Recv → publish → Send loop). So after each burst of writes the stream writes a *marker*:
 * an event with an empty channel, which the broker always rejects (`Error 102`) without publishing
 * anything. When the marker's answer arrives, every event written before it that got no error
 * answer was accepted. One marker per burst keeps the cost per event at one write.
 *
 * The call opens lazily on the first write (after the client is ready), re-opens on the next write
 * after a break, and is ended cleanly (half-close, then the server's end) by `close()`.
 */
export class EventsSendStream {
  private call: BidiCall<WireEvent> | undefined;
  private opening = false;
  private waitingDrain = false;
  private markerScheduled = false;
  private markerCount = 0;
  /** Marker ids are unique per stream, so answers on one never confirm events of another. */
  private readonly markerPrefix = randomBytes(6).toString('hex');
  private closing = false;
  private closed = false;
  private closingPromise: Promise<void> | undefined;
  private queue: (QueueItem | undefined)[] = [];
  private head = 0;
  private sinceMarker: Pending[] = [];
  private readonly inflight = new Map<string, Pending[]>();
  private readonly markers = new Map<string, Marker>();
  private ended: Deferred<void> | undefined;
  private untrack: (() => void) | undefined;

  constructor(
    private readonly internals: ClientInternals,
    private readonly options: SendStreamOptions,
  ) {}

  /** Events waiting to be written. */
  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Sends one event and resolves once the broker has accepted it (rejects with its error). */
  send(event: WireEvent, opts: ConfirmOptions = {}): Promise<void> {
    const result = deferred<void>();
    const pending = this.pending(event.EventID, event.Channel, result, opts);
    this.enqueue({ kind: 'event', event, pending }, pending);
    return result.promise;
  }

  /**
   * Writes one event without waiting for its verdict; resolves when it is handed to the transport.
   * A timeout or abort before that takes it out of the queue (it is never written).
   */
  write(event: WireEvent, opts: ConfirmOptions = {}): Promise<void> {
    const call = this.call;
    if (call && !this.waitingDrain && this.queued === 0 && !this.closing && !opts.signal?.aborted) {
      // Fast path: nothing waits ahead of it, so it goes out now (no timer, no queue entry).
      if (!call.write(event)) this.waitForDrain(call);
      return Promise.resolve();
    }
    const result = deferred<void>();
    const written = this.pending(event.EventID, event.Channel, result, opts);
    this.enqueue({ kind: 'event', event, written }, written);
    return result.promise;
  }

  /** Resolves when the broker has processed every event written before this call. */
  flush(opts: ConfirmOptions = {}): Promise<void> {
    const result = deferred<void>();
    const waiter = this.pending(`${MARKER_PREFIX}flush`, '', result, opts);
    this.enqueue({ kind: 'flush', waiter }, waiter);
    return result.promise;
  }

  /**
   * Stops taking events, waits for the verdicts of what was written, half-closes and waits for the
   * server to end the call. `timeoutMs` bounds all of it: what is left then is cancelled (a verdict
   * still on its way is lost). An aborted `signal` cancels at once. Idempotent: a second call
   * returns the first one's promise. Never rejects.
   */
  close(bounds: CloseBounds): Promise<void> {
    this.closingPromise ??= this.closeWithin(bounds);
    return this.closingPromise;
  }

  private async closeWithin({ timeoutMs, signal }: CloseBounds): Promise<void> {
    this.closing = true;
    const deadline = performance.now() + timeoutMs;
    const left = () => Math.max(0, Math.floor(deadline - performance.now()));
    const bound = closeBound(timeoutMs, signal);
    try {
      if ((this.call || this.queued > 0 || this.opening) && !bound.signal.aborted) {
        // A verdict that cannot arrive in time is reported to its sender (below, or by its own timeout).
        await this.flushForClose(left(), bound.signal).catch(() => undefined);
      }
      await this.endCall(left(), bound.signal);
    } finally {
      bound.dispose();
      this.closed = true;
      const err = this.closedError('the send stream was closed before the broker answered');
      this.failUnconfirmed(err);
      this.failQueued(err);
      this.untrack?.();
      this.untrack = undefined;
    }
  }

  private async flushForClose(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (timeoutMs <= 0) return;
    const result = deferred<void>();
    const waiter = sendPending(`${MARKER_PREFIX}close`, '', result, { operation: this.options.operation, timeoutMs, signal });
    this.queue.push({ kind: 'flush', waiter });
    this.kick();
    await result.promise;
  }

  /** Half-closes and waits for the server's end, within `timeoutMs`; cancels the call otherwise. */
  private async endCall(timeoutMs: number, signal: AbortSignal): Promise<void> {
    const call = this.call;
    if (!call) return;
    const ended = (this.ended ??= deferred<void>());
    if (timeoutMs > 0 && !signal.aborted) {
      if (call.writable) call.end();
      const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      const outcome = await within(Promise.race([ended.promise, aborted]), timeoutMs);
      if (outcome === 'timeout' || signal.aborted) call.cancel();
    } else {
      call.cancel();
    }
    this.call = undefined;
  }

  private closedError(why = 'the send stream is closed'): KubemqError {
    return new KubemqError({
      code: 'CLOSED',
      message: `${this.options.operation}: ${why}`,
      operation: this.options.operation,
    });
  }

  private pending(id: string, channel: string, result: Deferred<void>, opts: ConfirmOptions): Pending {
    const timeoutMs = callTimeoutMs(this.internals, opts.timeoutMs);
    return sendPending(id, channel, result, { operation: this.options.operation, timeoutMs, signal: opts.signal });
  }

  private enqueue(item: QueueItem, pending: Pending): void {
    const refuse = (err: KubemqError) => pending.reject(err);
    if (pending.done) return; // already aborted
    if (this.closing || this.closed) {
      refuse(this.closedError());
      return;
    }
    if (item.kind === 'event' && this.queued >= this.options.maxQueued) {
      refuse(
        new KubemqError({
          code: 'BUFFER_FULL',
          message: `${this.options.operation}: ${this.options.maxQueued} events are already waiting to be written`,
          operation: this.options.operation,
          channel: item.event.Channel,
          retryable: true,
        }),
      );
      return;
    }
    this.queue.push(item);
    this.kick();
  }

  /** Writes what it can now, or opens the call first. */
  private kick(): void {
    if (this.call) this.pump();
    else void this.open();
  }

  private async open(): Promise<void> {
    if (this.opening || this.call || this.closed) return;
    this.opening = true;
    try {
      await this.internals.whenReady();
    } catch (err) {
      this.opening = false;
      this.failQueued(mapError(err, { operation: this.options.operation }));
      return;
    }
    this.opening = false;
    if (this.call || this.closed) return;
    const { call, ended } = openSendCall(this.internals, SEND_EVENTS_STREAM, {
      operation: this.options.operation,
      next: (result) => this.onResult(result),
      isCurrent: (c) => this.call === c,
      closing: () => this.closing,
      onBreak: (err) => this.onBreak(err),
    });
    this.ended = ended;
    this.call = call;
    this.waitingDrain = false;
    this.untrack ??= this.internals.track({ drain: () => this.close({ timeoutMs: this.internals.options.defaultTimeoutMs }) });
    this.pump();
  }

  private pump(): void {
    const call = this.call;
    if (!call || this.waitingDrain) return;
    while (this.head < this.queue.length) {
      const item = this.queue[this.head] as QueueItem;
      this.queue[this.head++] = undefined;
      let ok: boolean;
      if (item.kind === 'flush') {
        if (item.waiter.done) continue;
        ok = this.writeMarker(call, [item.waiter]);
      } else {
        if (item.pending?.done || item.written?.done) continue; // timed out or aborted before it was written
        ok = call.write(item.event);
        if (item.pending) {
          this.sinceMarker.push(item.pending);
          const list = this.inflight.get(item.pending.id);
          if (list) list.push(item.pending);
          else this.inflight.set(item.pending.id, [item.pending]);
        }
        item.written?.resolve();
      }
      if (!ok) {
        this.waitForDrain(call);
        break;
      }
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    // Confirm the burst: one marker, written after the sends of this tick, answers for all of them.
    if (this.sinceMarker.length > 0 && !this.markerScheduled) {
      this.markerScheduled = true;
      queueMicrotask(() => {
        this.markerScheduled = false;
        if (this.call === call && this.sinceMarker.length > 0) this.writeMarker(call, []);
      });
    }
  }

  /** The transport's buffer is full: write nothing more until it drains. */
  private waitForDrain(call: BidiCall<WireEvent>): void {
    this.waitingDrain = true;
    void call.drained().then(() => {
      if (this.call !== call) return;
      this.waitingDrain = false;
      this.pump();
    });
  }

  private writeMarker(call: BidiCall<WireEvent>, waiters: Pending[]): boolean {
    const id = `${MARKER_PREFIX}${this.markerPrefix}_${++this.markerCount}`;
    this.markers.set(id, { pendings: this.sinceMarker, waiters });
    this.sinceMarker = [];
    return call.write(markerEvent(id, this.internals.clientId));
  }

  private onResult(result: Result): void {
    const marker = this.markers.get(result.EventID);
    if (marker) {
      this.markers.delete(result.EventID);
      for (const p of marker.pendings) {
        this.forget(p);
        p.resolve();
      }
      for (const w of marker.waiters) w.resolve();
      return;
    }
    if (!result.Error && result.Sent) return; // only errors are answered for Store=false
    const list = this.inflight.get(result.EventID);
    const pending = list?.shift();
    if (list && list.length === 0) this.inflight.delete(result.EventID);
    const error = brokerError(result.Error || 'the broker did not accept the event', {
      operation: this.options.operation,
      ...(pending && pending.channel !== '' && { channel: pending.channel }),
    });
    if (pending) {
      pending.reject(error);
    } else if (this.options.onFailure) {
      this.options.onFailure(result.EventID, error);
    } else {
      this.internals.logger.warn(`${this.options.operation}: the broker rejected event ${result.EventID}`, {
        error: error.message,
      });
    }
  }

  private forget(p: Pending): void {
    const list = this.inflight.get(p.id);
    if (!list) return;
    const at = list.indexOf(p);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.inflight.delete(p.id);
  }

  /**
   * The call broke. What was written but not confirmed may or may not have reached the broker:
   * its senders get the error (retryable when the break was). Unwritten events stay queued and
   * go out on a new call once the client is ready again.
   */
  private onBreak(err: KubemqError): void {
    this.call = undefined;
    this.waitingDrain = false;
    this.failUnconfirmed(err);
    if (!err.retryable) {
      this.failQueued(err);
      return;
    }
    if (this.queued > 0 && !this.closed) void this.open();
  }

  /** Fails what was written and not confirmed yet (it may or may not have reached the broker). */
  private failUnconfirmed(err: KubemqError): void {
    for (const list of this.inflight.values()) for (const p of list) p.reject(err);
    this.inflight.clear();
    for (const marker of this.markers.values()) for (const w of marker.waiters) w.reject(err);
    this.markers.clear();
    for (const p of this.sinceMarker) p.reject(err);
    this.sinceMarker = [];
  }

  private failQueued(err: KubemqError): void {
    for (let i = this.head; i < this.queue.length; i++) {
      const item = this.queue[i];
      if (!item) continue;
      if (item.kind === 'flush') item.waiter.reject(err);
      else if (item.pending) item.pending.reject(err);
      else item.written?.reject(err);
    }
    this.queue = [];
    this.head = 0;
  }
}

/** An event the broker always rejects (`Error 102`, empty channel) without publishing anything. */
export function markerEvent(id: string, clientId: string): WireEvent {
  return { EventID: id, ClientID: clientId, Channel: '', Metadata: '', Body: Buffer.alloc(0), Store: false, Tags: {} };
}

export function isMarkerId(id: string): boolean {
  return id.startsWith(MARKER_PREFIX);
}

/**
 * The bound of a whole close: a signal that aborts when `timeoutMs` passes or the caller's `signal`
 * aborts. `dispose()` clears the timer and the listener on the caller's signal.
 */
function closeBound(timeoutMs: number, signal: AbortSignal | undefined): { signal: AbortSignal; dispose(): void } {
  const bound = new AbortController();
  const abort = () => bound.abort();
  const timer = setTimeout(abort, timeoutMs);
  timer.unref?.();
  if (signal?.aborted) abort();
  else signal?.addEventListener('abort', abort, { once: true });
  return {
    signal: bound.signal,
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      abort();
    },
  };
}
