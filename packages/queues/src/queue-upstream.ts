// queueUpstream(): an optional feature, so a function taking the client (an app that never calls
// it bundles none of its code, nor the upstream's codecs).
import type { CallOptions, KubemqClient } from '@kubemq/core';
import { checked, clientInternals, closedOptions, validatePositiveInt } from '@kubemq/core/internal';
import type { QueueLimits } from './internal/limits.js';
import { DEFAULT_MAX_QUEUED_BATCHES, QueueUpstream } from './internal/upstream/upstream.js';
import { validateLimits } from './internal/validation.js';
import type { QueueBatchSendResult, QueueMessage } from './types.js';
import { PACKAGE } from './version.js';

/**
 * Options of {@link queueUpstream}.
 *
 * @example
 * ```ts
 * const options: QueueUpstreamOptions = { limits: { maxDelaySeconds: 86_400 } };
 * ```
 */
export interface QueueUpstreamOptions {
  /** The broker's `QUEUE_*` limits the messages are checked against, when it is configured differently from the defaults. */
  limits?: { [K in keyof QueueLimits]?: QueueLimits[K] | undefined } | undefined;
  /**
   * Batches waiting to be written (while the stream opens, reconnects or the broker is slow) past
   * which `send()` rejects with `BUFFER_FULL` instead of holding more in memory (default 1,000).
   */
  maxQueued?: number | undefined;
}

/**
 * A send stream for batches of queue messages (the broker's `QueuesUpstream`), made by
 * {@link queueUpstream}. Close it when done, or hold it with `await using`.
 *
 * - `send(messages)` resolves with one entry per message (a refused message is a
 *   `QueueSendFailure` in the results, counted in `failed`, never thrown). Sends may overlap: the
 *   broker answers each one by its request id, in any order, and stores overlapping batches in any
 *   order too (one batch's messages keep theirs). Await each send to keep batches in order.
 * - When the connection drops, sends still waiting for their answer fail with a retryable
 *   `UNAVAILABLE` error: the broker may or may not have stored those messages, so the SDK does not
 *   resend them by itself (that could silently duplicate). The next `send` opens a new stream.
 * - `close()` half-closes, waits for the pending answers, then ends the stream.
 *
 * @example
 * ```ts
 * await using up = queueUpstream(client);
 * const { results, failed } = await up.send([{ channel: 'tasks', body: 'a' }, { channel: 'tasks', body: 'b' }]);
 * ```
 */
export interface QueueUpstreamHandle extends AsyncDisposable {
  /**
   * Sends one batch on the stream and resolves with the broker's answer for each message, in
   * order. `timeoutMs` bounds the wait for that answer (default: the client's `defaultTimeoutMs`);
   * a send that times out may still have been stored. Rejects with code `CLOSED` once `close()`
   * was called (nothing is sent then).
   */
  send(messages: readonly QueueMessage[], options?: CallOptions): Promise<QueueBatchSendResult>;
  /**
   * Half-closes the stream, waits for the answers to every pending send, then ends it. Idempotent.
   * `timeoutMs` bounds the whole close (default: the client's `defaultTimeoutMs`; 0 stops waiting at
   * once), and aborting `signal` ends the wait early; sends still unanswered then fail (`TIMEOUT`,
   * or `CANCELLED` after an abort) and the stream is ended either way. Every call's bound counts:
   * a later `close()` with a shorter one ends an earlier one's wait. The stream is never ended
   * while answers are owed otherwise: the open-source broker can crash when a client aborts this
   * stream with requests in flight.
   */
  close(options?: CallOptions): Promise<void>;
  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Opens a send stream for batches of queue messages on `client` (the stream itself opens with the
 * first `send`). Use it to send many batches fast; `queues(client).send()` and `sendBatch()` are
 * one call each. The client's `close()` closes it too.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { queueUpstream } from '@kubemq/queues';
 *
 * await using client = await KubemqClient.connect({ address: 'localhost:50000' });
 * await using up = queueUpstream(client);
 * const { failed } = await up.send([{ channel: 'tasks', body: 'a' }, { channel: 'tasks', body: 'b' }]);
 * console.log(`${failed} refused`);
 * ```
 */
export function queueUpstream(client: KubemqClient, options: QueueUpstreamOptions = {}): QueueUpstreamHandle {
  const internals = clientInternals(client, 'queues.upstream', PACKAGE);
  const { limits, maxQueued } = checked('queues.upstream', undefined, () => {
    const o = closedOptions(options, 'queues.upstream', ['limits', 'maxQueued']);
    return {
      limits: validateLimits(o.limits),
      maxQueued: o.maxQueued === undefined ? DEFAULT_MAX_QUEUED_BATCHES : validatePositiveInt(o.maxQueued, 'maxQueued', { min: 1, integer: true }),
    };
  });
  return new QueueUpstream(internals, limits, internals.options.defaultTimeoutMs, maxQueued);
}
