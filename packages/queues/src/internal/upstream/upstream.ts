// The stream behind queueUpstream(): batches over one bidirectional stream, on core's StreamSender
// (lazy open once the client is ready, backpressure, breaks, bounded close), answers correlated by
// request id (the broker processes each request concurrently, so answers may come out of order).
//
// Aborting this stream can crash the open-source broker (docs/broker-behaviour.md §5.3): its reader forwards a
// nil request to code that dereferences it. So the stream is only ever ended by half-closing it,
// waiting for every pending answer, and then cancelling (the broker ignores the half-close itself).
import { KubemqError, type CallOptions } from '@kubemq/core';
import {
  brokerError,
  checked,
  newId,
  StreamSender,
  tracedSend,
  type AnswerMatcher,
  type ClientInternals,
  type QueuesUpstreamRequest,
  type QueuesUpstreamResponse,
  type SendEntry,
} from '@kubemq/core/internal';
import type { QueueBatchSendResult, QueueMessage } from '../../types.js';
import { toBatchResult } from '../conversions.js';
import type { QueueLimits } from '../limits.js';
import { QUEUES_UPSTREAM } from '../methods.js';
import { queueSendOperation } from '../telemetry.js';
import { requireBatchFits, toWireMessages, validateCallOptions, type ValidCallOptions } from '../validation.js';

const OPERATION = 'queues.upstream.send';

type Entry = SendEntry<QueuesUpstreamRequest, QueueBatchSendResult>;

/** Counters for tests and diagnostics. */
export interface UpstreamCounters {
  streamsOpened: number;
  pending: number;
}

/** Batches waiting to be written past which a send is refused (BUFFER_FULL) rather than held. */
export const DEFAULT_MAX_QUEUED_BATCHES = 1_000;

/** What `queueUpstream()` hands out as a `QueueUpstreamHandle` (the factory's return type checks the fit). */
export class QueueUpstream implements AsyncDisposable {
  readonly #sender: StreamSender<QueuesUpstreamRequest, QueuesUpstreamResponse, QueueBatchSendResult>;
  readonly #internals: ClientInternals;
  readonly #limits: QueueLimits;
  readonly #defaultTimeoutMs: number;

  constructor(internals: ClientInternals, limits: QueueLimits, defaultTimeoutMs: number, maxQueued = DEFAULT_MAX_QUEUED_BATCHES) {
    this.#internals = internals;
    this.#limits = limits;
    this.#defaultTimeoutMs = defaultTimeoutMs;
    this.#sender = new StreamSender(internals, {
      operation: OPERATION,
      method: QUEUES_UPSTREAM,
      matcher: new RequestIdMatcher(internals),
      ending: 'client-ends',
      maxQueued,
      what: 'the upstream send',
      closedError,
      abandonedError: (written, cut) =>
        new KubemqError({
          code: cut === 'cancelled' ? 'CANCELLED' : 'TIMEOUT',
          retryable: cut !== 'cancelled',
          operation: OPERATION,
          message: `the upstream was closed (${cut === 'cancelled' ? 'its close was aborted' : 'its close timed out'}) ${written ? 'before the broker answered; the messages may or may not have been stored' : 'before the batch was written: nothing was sent'}`,
        }),
      brokenError: (err) =>
        new KubemqError({
          code: 'UNAVAILABLE',
          retryable: true,
          operation: OPERATION,
          message: 'the upstream stream ended before the broker answered; the messages may or may not have been stored',
          cause: err,
        }),
    });
  }

  get counters(): UpstreamCounters {
    return { streamsOpened: this.#sender.opened, pending: this.#sender.outstanding };
  }

  async send(messages: readonly QueueMessage[], options?: CallOptions): Promise<QueueBatchSendResult> {
    const maxBytes = this.#internals.options.maxMessageBytes;
    const { wire, call } = checked(OPERATION, undefined, () => ({
      wire: toWireMessages(messages, 'messages', this.#internals.clientId, this.#limits, maxBytes),
      call: validateCallOptions(options),
    }));
    if (this.#sender.closing) throw closedError();
    // Accepted: a close() called from now on lets it go out before it half-closes the stream.
    // Its deadline covers the wait for the stream, the write and the answer; a late answer is
    // dropped (the messages may still have been stored).
    return tracedSend(
      this.#internals.telemetry,
      () => queueSendOperation(wire),
      // The trace context in its tags could take it over the limit, and a cancel can crash the broker.
      () => checked(OPERATION, undefined, () => requireBatchFits(wire, 'messages', maxBytes)),
      () => this.#sender.send({ RequestID: newId(), Messages: wire }, { timeoutMs: call.timeoutMs ?? this.#defaultTimeoutMs, signal: call.signal }),
    );
  }

  /**
   * Lets every accepted send go out, half-closes, waits for every pending answer, then ends the
   * stream; the bound of any close() call cuts the waiting short.
   */
  close(options?: CallOptions): Promise<void> {
    let bound: ValidCallOptions;
    try {
      bound = checked('queues.upstream.close', undefined, () => validateCallOptions(options, 'options', { minTimeoutMs: 0 }));
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#sender.close({ timeoutMs: bound.timeoutMs ?? this.#defaultTimeoutMs, signal: bound.signal });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function closedError(): KubemqError {
  return new KubemqError({ code: 'CLOSED', operation: OPERATION, message: 'the upstream is closed; nothing was sent' });
}

/** The upstream's answers: one per request, by request id, in any order. */
class RequestIdMatcher implements AnswerMatcher<QueuesUpstreamRequest, QueuesUpstreamResponse, QueueBatchSendResult> {
  readonly #pending = new Map<string, Entry>();

  readonly #internals: ClientInternals;

  constructor(internals: ClientInternals) {
    this.#internals = internals;
  }

  get outstanding(): number {
    return this.#pending.size;
  }

  written(entry: Entry): void {
    this.#pending.set(entry.request.RequestID, entry);
  }

  answer(response: QueuesUpstreamResponse): void {
    const entry = this.#pending.get(response.RefRequestID);
    if (!entry) {
      this.#internals.logger.debug?.('queues: upstream answer for no pending send', { requestId: response.RefRequestID });
      return;
    }
    this.#pending.delete(response.RefRequestID);
    if (response.IsError && response.Results.length === 0) {
      entry.reject(brokerError(response.Error, { operation: OPERATION }));
    } else {
      entry.resolve(toBatchResult(response.RefRequestID, entry.request.Messages, response.Results, OPERATION));
    }
  }

  /** A send that timed out (or was aborted) is forgotten: its late answer is dropped. */
  expired(entry: Entry): void {
    if (this.#pending.get(entry.request.RequestID) === entry) this.#pending.delete(entry.request.RequestID);
  }

  fail(err: KubemqError): void {
    for (const entry of this.#pending.values()) entry.reject(err);
    this.#pending.clear();
  }
}
