// The stream behind queueUpstream(): batches over one bidirectional stream, answers correlated by
// request id (the broker processes each request concurrently, so answers may come out of order).
//
// Aborting this stream can crash the open-source broker (docs/broker-behaviour.md §5.3): its reader forwards a
// nil request to code that dereferences it. So the stream is only ever ended by half-closing it,
// waiting for every pending answer, and then cancelling (the broker ignores the half-close itself).
import { KubemqError, type CallOptions } from '@kubemq/core';
import {
  brokerError,
  newId,
  traced,
  type BidiCall,
  type ClientInternals,
  type QueueMessage as WireQueueMessage,
  type QueuesUpstreamRequest,
  type QueuesUpstreamResponse,
} from '@kubemq/core/internal';
import type { QueueBatchSendResult, QueueMessage } from '../../types.js';
import { toBatchResult } from '../conversions.js';
import { withDeadline } from '../deadline.js';
import type { QueueLimits } from '../limits.js';
import { QUEUES_UPSTREAM } from '../methods.js';
import { queueSendOperation } from '../telemetry.js';
import { toWireMessages, validateCallOptions, type ValidCallOptions } from '../validation.js';

const OPERATION = 'queues.upstream.send';

interface Pending {
  messages: WireQueueMessage[];
  /** The stream the request went out on (an end of another stream does not concern it). */
  stream?: BidiCall<QueuesUpstreamRequest>;
  resolve(result: QueueBatchSendResult): void;
  reject(err: KubemqError): void;
}

/** Counters for tests and diagnostics. */
export interface UpstreamCounters {
  streamsOpened: number;
  pending: number;
}

/** Why a close stopped waiting for the broker's answers. */
type DrainCut = 'timeout' | 'cancelled';

/** What `queueUpstream()` hands out as a `QueueUpstreamHandle` (the factory's return type checks the fit). */
export class QueueUpstream implements AsyncDisposable {
  private call: BidiCall<QueuesUpstreamRequest> | undefined;
  private opening: Promise<BidiCall<QueuesUpstreamRequest>> | undefined;
  private drainWait: Promise<void> | undefined;
  private readonly pending = new Map<string, Pending>();
  /** Sends accepted and not yet written to the stream (or failed before). */
  private unwritten = 0;
  private closing: Promise<void> | undefined;
  private readonly untrack: () => void;
  /** Ends a close's wait for pending answers: its deadline passed, or its signal aborted. */
  private readonly drainCut = new AbortController();
  /** Runs whenever the pending sends or the stream change (a close waits on it). */
  private onChange: (() => void) | undefined;
  readonly counters: UpstreamCounters = { streamsOpened: 0, pending: 0 };

  constructor(
    private readonly internals: ClientInternals,
    private readonly limits: QueueLimits,
    private readonly defaultTimeoutMs: number,
  ) {
    this.untrack = internals.track({ drain: () => this.close() });
  }

  async send(messages: readonly QueueMessage[], options?: CallOptions): Promise<QueueBatchSendResult> {
    const wire = toWireMessages(messages, 'messages', this.internals.clientId, this.limits, this.internals.options.maxMessageBytes);
    const call = validateCallOptions(options);
    if (this.closing) throw this.closedError();
    // Accepted: a close() called from now on lets it go out before it half-closes the stream.
    this.unwritten++;
    let written = false;
    const onWritten = (): void => {
      if (written) return;
      written = true;
      this.unwritten--;
      this.changed();
    };
    try {
      return await traced(this.internals.telemetry, () => queueSendOperation(wire), () => this.sendBatch(wire, call, onWritten));
    } finally {
      onWritten();
    }
  }

  close(options?: CallOptions): Promise<void> {
    let bound: ValidCallOptions;
    try {
      bound = validateCallOptions(options, 'options', { minTimeoutMs: 0 });
    } catch (err) {
      return Promise.reject(err);
    }
    this.closing ??= this.shutdown();
    // Every close() bounds the drain: the first bound to pass (or signal to abort) ends it.
    const cut = (why: DrainCut) => () => {
      if (!this.drainCut.signal.aborted) this.drainCut.abort(why);
    };
    const onTimeout = cut('timeout');
    const onAbort = cut('cancelled');
    const timer = setTimeout(onTimeout, bound.timeoutMs ?? this.defaultTimeoutMs);
    bound.signal?.addEventListener('abort', onAbort, { once: true });
    if (bound.signal?.aborted) onAbort();
    const closing = this.closing;
    void closing.finally(() => {
      clearTimeout(timer);
      bound.signal?.removeEventListener('abort', onAbort);
    });
    return closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async sendBatch(wire: WireQueueMessage[], call: ValidCallOptions, onWritten: () => void): Promise<QueueBatchSendResult> {
    const requestId = newId();
    const timeoutMs = call.timeoutMs ?? this.defaultTimeoutMs;
    const answer = new Promise<QueueBatchSendResult>((resolve, reject) => {
      this.pending.set(requestId, { messages: wire, resolve, reject });
      this.counters.pending = this.pending.size;
    });
    answer.catch(() => undefined); // observed through `work`; never an unhandled rejection
    const forget = (): void => {
      if (this.pending.delete(requestId)) this.changed();
    };
    const work = this.write({ RequestID: requestId, Messages: wire }, call.signal)
      .finally(onWritten)
      .then(() => answer);
    work.catch(() => undefined);
    try {
      return await withDeadline(work, {
        operation: OPERATION,
        timeoutMs,
        signal: call.signal,
        what: 'the upstream send',
        // A late answer is dropped: the messages may still have been stored.
        onExpire: forget,
      });
    } finally {
      forget();
    }
  }

  /**
   * Lets every accepted send go out, half-closes, waits for every pending answer, then ends the
   * stream; a close's bound cuts either wait short.
   */
  private async shutdown(): Promise<void> {
    this.untrack();
    await this.until(() => this.unwritten === 0);
    const call = this.call ?? (await this.opening?.catch(() => undefined));
    if (call) {
      if (call.writable) call.end();
      await this.until(() => this.pending.size === 0 || this.call !== call);
    }
    if (this.pending.size > 0) {
      const why = this.drainCut.signal.reason as DrainCut;
      this.failAll(
        undefined,
        new KubemqError({
          code: why === 'cancelled' ? 'CANCELLED' : 'TIMEOUT',
          retryable: why !== 'cancelled',
          operation: OPERATION,
          message: `the upstream was closed (${why === 'cancelled' ? 'its close was aborted' : 'its close timed out'}) before the broker answered; the messages may or may not have been stored`,
        }),
      );
    }
    if (call && this.call === call) {
      this.call = undefined;
      call.cancel();
    }
  }

  /** Resolves once `done()` holds (checked whenever the sends or the stream change), or a close's bound cuts the wait. */
  private until(done: () => boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (!done() && !this.drainCut.signal.aborted) return;
        this.onChange = undefined;
        this.drainCut.signal.removeEventListener('abort', check);
        resolve();
      };
      this.onChange = check;
      this.drainCut.signal.addEventListener('abort', check, { once: true });
      check();
    });
  }

  private changed(): void {
    this.counters.pending = this.pending.size;
    this.onChange?.();
  }

  private closedError(): KubemqError {
    return new KubemqError({ code: 'CLOSED', operation: OPERATION, message: 'the upstream is closed; nothing was sent' });
  }

  private async stream(signal: AbortSignal | undefined): Promise<BidiCall<QueuesUpstreamRequest>> {
    if (this.call?.writable) return this.call;
    // Closing: the stream is half-closed (or about to be) and no new one opens.
    if (this.closing) throw this.closedError();
    this.opening ??= this.open(signal).finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async open(signal: AbortSignal | undefined): Promise<BidiCall<QueuesUpstreamRequest>> {
    await this.internals.whenReady(signal);
    this.counters.streamsOpened++;
    const call: BidiCall<QueuesUpstreamRequest> = this.internals.bidiStream(
      QUEUES_UPSTREAM,
      {
        next: (response: QueuesUpstreamResponse) => this.onResponse(response),
        error: (err) => this.onEnd(call, err),
        complete: () =>
          this.onEnd(call, new KubemqError({ code: 'UNAVAILABLE', retryable: true, operation: OPERATION, message: 'the broker ended the upstream stream' })),
      },
      { operation: OPERATION },
    );
    this.call = call;
    return call;
  }

  private async write(req: QueuesUpstreamRequest, signal: AbortSignal | undefined): Promise<void> {
    let call = await this.stream(signal);
    // Check for a drain wait only after the last await: writers that resumed together (a new
    // stream, the end of an outage) must not each write into a full buffer and each add a listener.
    while (this.drainWait) {
      await this.drainWait;
      call = await this.stream(signal);
    }
    if (!call.writable) throw this.closedError(); // a close() whose bound passed ended the stream while this send waited
    const waiter = this.pending.get(req.RequestID);
    if (waiter) waiter.stream = call;
    if (!call.write(req)) {
      const wait = call.drained().finally(() => {
        if (this.drainWait === wait) this.drainWait = undefined;
      });
      this.drainWait = wait;
    }
  }

  private onResponse(response: QueuesUpstreamResponse): void {
    const waiter = this.pending.get(response.RefRequestID);
    if (!waiter) {
      this.internals.logger.debug?.('queues: upstream answer for no pending send', { requestId: response.RefRequestID });
      return;
    }
    this.pending.delete(response.RefRequestID);
    if (response.IsError && response.Results.length === 0) {
      waiter.reject(brokerError(response.Error, { operation: OPERATION }));
    } else {
      waiter.resolve(toBatchResult(response.RefRequestID, waiter.messages, response.Results, OPERATION));
    }
    this.changed();
  }

  private onEnd(call: BidiCall<QueuesUpstreamRequest>, err: KubemqError): void {
    if (this.call === call) this.call = undefined;
    this.changed();
    this.failAll(
      call,
      new KubemqError({
        code: 'UNAVAILABLE',
        retryable: true,
        operation: OPERATION,
        message: 'the upstream stream ended before the broker answered; the messages may or may not have been stored',
        cause: err,
      }),
    );
  }

  /** Fails the sends written on `call` (every pending send when undefined). */
  private failAll(call: BidiCall<QueuesUpstreamRequest> | undefined, err: KubemqError): void {
    for (const [id, w] of [...this.pending]) {
      if (call !== undefined && w.stream !== call) continue;
      this.pending.delete(id);
      w.reject(err);
    }
    this.changed();
  }
}
