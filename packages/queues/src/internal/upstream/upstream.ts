// QueuesUpstream: batches over one bidirectional stream, answers correlated by request id (the
// broker processes each request concurrently, so answers may come out of order).
//
// Aborting this stream can crash the open-source broker (docs/broker-behaviour.md §5.3): its reader forwards a
// nil request to code that dereferences it. So the stream is only ever ended by half-closing it,
// waiting for every pending answer, and then cancelling (the broker ignores the half-close itself).
import { KubemqError } from '@kubemq/core';
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
import type { CallOptions, QueueBatchResult, QueueMessage } from '../../types.js';
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
  resolve(result: QueueBatchResult): void;
  reject(err: KubemqError): void;
}

/** Counters for tests and diagnostics. */
export interface UpstreamCounters {
  streamsOpened: number;
  pending: number;
}

/**
 * A send stream for batches of queue messages. Open one with `queues(client).upstream()`.
 *
 * - `send(messages)` resolves with one result per message (per-message broker errors are in the
 *   results and counted in `failed`, never thrown).
 * - When the connection drops, sends still waiting for their answer fail with a retryable
 *   `UNAVAILABLE` error: the broker may or may not have stored those messages, so the SDK does not
 *   resend them by itself (that could silently duplicate). The next `send` opens a new stream.
 * - `close()` half-closes, waits for pending answers, then ends the stream.
 *
 * @example
 * ```ts
 * await using up = queues(client).upstream();
 * const { results, failed } = await up.send([{ channel: 'tasks', body: 'a' }, { channel: 'tasks', body: 'b' }]);
 * ```
 */
export class QueuesUpstream implements AsyncDisposable {
  private call: BidiCall<QueuesUpstreamRequest> | undefined;
  private opening: Promise<BidiCall<QueuesUpstreamRequest>> | undefined;
  private drainWait: Promise<void> | undefined;
  private readonly pending = new Map<string, Pending>();
  private closing: Promise<void> | undefined;
  private readonly untrack: () => void;
  /** @internal */
  readonly counters: UpstreamCounters = { streamsOpened: 0, pending: 0 };

  /** @internal */
  constructor(
    private readonly internals: ClientInternals,
    private readonly limits: QueueLimits,
    private readonly defaultTimeoutMs: number,
    private readonly drainTimeoutMs: number,
  ) {
    this.untrack = internals.track({ drain: () => this.close() });
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Sends one batch; resolves with the broker's per-message results. */
  async send(messages: readonly QueueMessage[], options?: CallOptions): Promise<QueueBatchResult> {
    const wire = toWireMessages(messages, 'messages', this.internals.clientId, this.limits, this.internals.options.maxMessageBytes);
    const call = validateCallOptions(options);
    if (this.closing) {
      throw new KubemqError({ code: 'CLOSED', operation: OPERATION, message: 'the upstream is closed; nothing was sent' });
    }
    return traced(this.internals.telemetry, () => queueSendOperation(wire), () => this.sendBatch(wire, call));
  }

  private async sendBatch(wire: WireQueueMessage[], call: ValidCallOptions): Promise<QueueBatchResult> {
    const requestId = newId();
    const timeoutMs = call.timeoutMs ?? this.defaultTimeoutMs;
    const answer = new Promise<QueueBatchResult>((resolve, reject) => {
      this.pending.set(requestId, { messages: wire, resolve, reject });
      this.counters.pending = this.pending.size;
    });
    answer.catch(() => undefined); // observed through `work`; never an unhandled rejection
    const forget = (): void => {
      this.pending.delete(requestId);
      this.counters.pending = this.pending.size;
    };
    const work = this.write({ RequestID: requestId, Messages: wire }, call.signal).then(() => answer);
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
   * Half-closes the stream, waits (at most the client's drain timeout) for the answers to every
   * pending send, then ends it. Idempotent. Sends still unanswered then fail with `TIMEOUT`.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Same as {@link QueuesUpstream.close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async shutdown(): Promise<void> {
    this.untrack();
    const call = this.call ?? (await this.opening?.catch(() => undefined));
    if (!call) return;
    if (call.writable) call.end();
    const answered = new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.pending.size === 0 || this.call !== call) resolve();
        else setTimeout(check, 5);
      };
      check();
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.drainTimeoutMs)));
    const outcome = await Promise.race([answered, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.failAll(undefined, new KubemqError({ code: 'TIMEOUT', retryable: true, operation: OPERATION, message: 'the upstream closed before the broker answered; the messages may or may not have been stored' }));
    }
    if (this.call === call) {
      this.call = undefined;
      call.cancel();
    }
  }

  private async stream(signal: AbortSignal | undefined): Promise<BidiCall<QueuesUpstreamRequest>> {
    if (this.call?.writable) return this.call;
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
    this.counters.pending = this.pending.size;
    if (response.IsError && response.Results.length === 0) {
      waiter.reject(brokerError(response.Error, { operation: OPERATION }));
      return;
    }
    waiter.resolve(toBatchResult(response.RefRequestID, waiter.messages, response.Results, OPERATION));
  }

  private onEnd(call: BidiCall<QueuesUpstreamRequest>, err: KubemqError): void {
    if (this.call === call) this.call = undefined;
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
    this.counters.pending = this.pending.size;
  }
}
