import { KubemqError } from '@kubemq/core';
import {
  brokerError,
  deferred,
  mapError,
  openSendCall,
  sendPending,
  type BidiCall,
  type ClientInternals,
  type Deferred,
  type Event as WireEvent,
  type Result,
  type SendPending,
} from '@kubemq/core/internal';
import { SEND_EVENTS_STREAM } from '../methods.js';
import type { EventStoreSendResult } from '../messages.js';
import { callTimeoutMs } from '../timeouts.js';
import { untilCut } from './until-cut.js';

/** One event waiting for the broker's answer. */
type Pending = SendPending<EventStoreSendResult>;

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
 * `SendEventsStream` for `Store=true` events. The broker answers every stored event on this stream
 * (`Result{EventID, Sent, Error}`), in order; answers are matched to senders by EventID (several
 * events with one id are matched first-in, first-out).
 *
 * The call opens lazily on the first send (once the client is ready), re-opens on the next send
 * after a break, and `close()` waits for outstanding answers, half-closes and waits for the
 * server's end, all within one bound.
 */
export class StoreSendStream {
  private call: BidiCall<WireEvent> | undefined;
  private opening = false;
  private waitingDrain = false;
  private closing = false;
  private closed = false;
  /** The first close()'s work; later calls share it. */
  private shutdown: Promise<void> | undefined;
  /** Aborted when a close()'s bound passes or its signal aborts: the close stops waiting. */
  private readonly cut = new AbortController();
  private queue: ({ event: WireEvent; pending: Pending } | undefined)[] = [];
  private head = 0;
  private readonly inflight = new Map<string, Pending[]>();
  private inflightCount = 0;
  private idleWaiters: Deferred<void>[] = [];
  private ended: Deferred<void> | undefined;
  private untrack: (() => void) | undefined;

  constructor(
    private readonly internals: ClientInternals,
    private readonly options: SendStreamOptions,
  ) {}

  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Sends one event; resolves with the broker's answer, rejects with its error. */
  send(event: WireEvent, opts: StreamSendOptions = {}): Promise<EventStoreSendResult> {
    const result = deferred<EventStoreSendResult>();
    const pending = this.pending(event.EventID, event.Channel, result, opts);
    if (pending.done) return result.promise;
    if (this.closing || this.closed) {
      pending.reject(this.error('CLOSED', 'the send stream is closed', false));
    } else if (this.queued >= this.options.maxQueued) {
      pending.reject(this.error('BUFFER_FULL', `${this.options.maxQueued} events are already waiting to be written`, true, event.Channel));
    } else {
      this.queue.push({ event, pending });
      if (this.call) this.pump();
      else void this.open();
    }
    return result.promise;
  }

  /**
   * Stops taking events, waits for outstanding answers, half-closes and waits for the broker to end
   * the call. `bound` limits all of it: once it passes (or its signal aborts) the call is cancelled,
   * and what is still unanswered or unwritten fails with `CLOSED`. Idempotent: every call resolves
   * when the one close is over, and each call's bound can end the waiting.
   */
  close(bound: CloseBound = {}): Promise<void> {
    const done = (this.shutdown ??= this.shutDown());
    const cut = () => this.cut.abort();
    const timer = setTimeout(cut, bound.timeoutMs ?? this.internals.options.defaultTimeoutMs);
    timer.unref?.();
    if (bound.signal?.aborted) cut();
    else bound.signal?.addEventListener('abort', cut, { once: true });
    const disarm = () => {
      clearTimeout(timer);
      bound.signal?.removeEventListener('abort', cut);
    };
    void done.then(disarm, disarm);
    return done;
  }

  private async shutDown(): Promise<void> {
    this.closing = true;
    if (this.queued > 0 || this.inflightCount > 0) {
      const idle = deferred<void>();
      this.idleWaiters.push(idle);
      await untilCut(idle.promise, this.cut.signal);
    }
    const call = this.call;
    if (call) {
      const ended = (this.ended ??= deferred<void>());
      if (call.writable) call.end();
      if ((await untilCut(ended.promise, this.cut.signal)) === 'cut') call.cancel();
    }
    this.call = undefined;
    this.closed = true;
    this.failInflight(this.error('CLOSED', 'the send stream was closed before the broker answered (the event may or may not be stored)', false));
    this.failQueued(this.error('CLOSED', 'the send stream was closed before the event was written', false));
    this.untrack?.();
    this.untrack = undefined;
  }

  private error(code: 'CLOSED' | 'BUFFER_FULL', problem: string, retryable: boolean, channel?: string) {
    return new KubemqError({
      code,
      message: `${this.options.operation}: ${problem}`,
      operation: this.options.operation,
      retryable,
      ...(channel !== undefined && { channel }),
    });
  }

  private pending(id: string, channel: string, result: Deferred<EventStoreSendResult>, opts: StreamSendOptions): Pending {
    const timeoutMs = callTimeoutMs(this.internals, opts.timeoutMs);
    return sendPending(id, channel, result, { operation: this.options.operation, timeoutMs, signal: opts.signal });
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
    this.untrack ??= this.internals.track({ drain: () => this.close() });
    this.pump();
  }

  private pump(): void {
    const call = this.call;
    if (!call || this.waitingDrain) return;
    while (this.head < this.queue.length) {
      const item = this.queue[this.head];
      this.queue[this.head++] = undefined;
      if (!item || item.pending.done) continue; // timed out or aborted before it was written
      const list = this.inflight.get(item.pending.id);
      if (list) list.push(item.pending);
      else this.inflight.set(item.pending.id, [item.pending]);
      this.inflightCount++;
      if (!call.write(item.event)) {
        this.waitingDrain = true;
        void call.drained().then(() => {
          if (this.call !== call) return;
          this.waitingDrain = false;
          this.pump();
        });
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
  }

  private onResult(result: Result): void {
    const list = this.inflight.get(result.EventID);
    const pending = list?.shift();
    if (!list || !pending) {
      this.internals.logger.warn(`${this.options.operation}: an answer for an unknown event ${result.EventID}`);
      return;
    }
    if (list.length === 0) this.inflight.delete(result.EventID);
    this.inflightCount--;
    if (result.Sent && !result.Error) {
      pending.resolve({ id: result.EventID, sent: true });
    } else {
      pending.reject(
        brokerError(result.Error || 'the broker did not accept the event', {
          operation: this.options.operation,
          channel: pending.channel,
        }),
      );
    }
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.inflightCount > 0 || this.queued > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w.resolve();
  }

  /**
   * The call broke. Events written but not answered may or may not have been stored: their senders
   * get the error. Unwritten events stay queued for a new call once the client is ready again.
   */
  private onBreak(err: KubemqError): void {
    this.call = undefined;
    this.waitingDrain = false;
    this.failInflight(err);
    if (!err.retryable || this.closing) this.failQueued(err);
    else if (this.queued > 0) void this.open();
    this.checkIdle();
  }

  private failInflight(err: KubemqError): void {
    for (const list of this.inflight.values()) for (const p of list) p.reject(err);
    this.inflight.clear();
    this.inflightCount = 0;
  }

  private failQueued(err: KubemqError): void {
    for (let i = this.head; i < this.queue.length; i++) this.queue[i]?.pending.reject(err);
    this.queue = [];
    this.head = 0;
    this.checkIdle();
  }
}
