// What a running queueConsumer() is to its caller: the handle, its options, its counters and the handler's shape.
import type { PolledQueueMessage } from '../../types.js';

/**
 * What a consumer has done so far.
 *
 * @example
 * ```ts
 * const { acked, nacked, recoveries, maxPollsInFlight }: QueueConsumerStats = consumer.stats;
 * ```
 */
export interface QueueConsumerStats {
  /** Non-empty transactions handled. */
  readonly batches: number;
  /** Messages handed to the handler. */
  readonly messages: number;
  /** Messages acked: after their handler returned, by the handler itself, or again, as a redelivery it skipped. */
  readonly acked: number;
  /**
   * Messages the broker delivered again after a consumer of this queue on this client had already
   * handled them (an ack that did not reach the broker, or a stream that closed or broke before
   * it): acked again without calling the handler.
   */
  readonly redeliveriesSkipped: number;
  /** Messages nacked because their handler threw, or by the handler itself (back to the queue, or to the dead-letter queue). */
  readonly nacked: number;
  /** Handler calls that threw (their messages were nacked, unless the handler had settled them itself). */
  readonly handlerErrors: number;
  /** Settlements the broker did not confirm (the messages are delivered again). */
  readonly settleErrors: number;
  /** Re-opens after a connection loss. */
  readonly recoveries: number;
  /** Get requests sent. */
  readonly polls: number;
  /** Get requests waiting for the broker right now. */
  readonly pollsInFlight: number;
  /** The most get requests ever waiting for the broker at once (1 per consumer). */
  readonly maxPollsInFlight: number;
  /** Downstream streams opened in total. */
  readonly streamsOpened: number;
  /** Downstream streams open now. */
  readonly streamsOpen: number;
  /** End-of-stream listeners the consumer holds right now (constant across reconnects). */
  readonly listeners: number;
  /**
   * Messages that had reached the consumer and were not yet settled when their stream was lost
   * (each loss is also logged as a warning, given a `logger`). A broker that stays up returns them
   * to the queue; the open-source server, killed with SIGKILL, keeps them for good. They reached
   * the handler; they are part of the bound stated at `transactionsOpenAtLoss`.
   */
  readonly unsettledAtLoss: number;
  /**
   * Polls that were waiting for the broker's answer when their stream was lost: for each, the
   * broker may have taken up to `maxItems` messages this consumer never saw, which a crashed
   * broker may keep for good (logged as a warning, given a `logger`). See `transactionsOpenAtLoss`
   * for the bound.
   */
  readonly pollsInFlightAtLoss: number;
  /**
   * Transactions (batches) that were open when their stream was lost: not yet closed as far as
   * the consumer knows, and with no poll written behind them still waiting (the broker serves a
   * stream's requests in order, so only one of the two can still hold messages, and that poll is
   * counted in `pollsInFlightAtLoss`). Each one is logged as a warning, given a `logger`.
   *
   * After a broker crash (the open-source server killed with SIGKILL), the server brings each such
   * transaction or poll back as a consumer that never settles, which keeps what it held (the
   * messages the handler got, in `unsettledAtLoss`, and any the open transaction captured after its
   * poll answered) and keeps room for `maxItems` less that: the server deals it messages waiting at
   * the restart and messages sent after it, and drops it only about 120 days later. Of what the
   * server deals out itself, at most `(transactionsOpenAtLoss + pollsInFlightAtLoss) × maxItems`
   * messages are missing (smaller `maxItems`, smaller bound). Nothing bounds the rest: while such a
   * dead consumer is there, any message a consumer of the queue gives back unsettled (what a peek
   * showed, a closed transaction's unsettled or captured messages: a consumer closes its
   * transaction after every batch shorter than `maxItems`) may be handed to it past its room, and
   * is lost too. See docs/queues.md.
   */
  readonly transactionsOpenAtLoss: number;
}

/**
 * A `queueConsumer()` handler: returning (or resolving) acks the message, throwing (or rejecting) nacks it.
 * A handler may settle the message itself (`ack()`, `nack()`, `requeue()`); the consumer then leaves it as settled.
 *
 * @example
 * ```ts
 * const handler: QueueHandler = async (msg) => { await save(msg.json()); };
 * ```
 */
export type QueueHandler = (message: PolledQueueMessage) => unknown;

/**
 * A running `queueConsumer()`: it polls a batch, runs the handler on it, settles it, and only then polls
 * again. `stop()` lets the batch in hand finish and settle, waits for the poll in flight, then ends the stream.
 *
 * @example
 * ```ts
 * const consumer = queueConsumer(client, { channel: 'tasks', concurrency: 4 }, async (msg) => {
 *   await handle(msg.json());
 * });
 * // … later
 * await consumer.stop();
 * ```
 */
export interface QueueConsumer extends AsyncDisposable {
  /** A snapshot of the consumer's counters (a new object on every read). */
  readonly stats: QueueConsumerStats;
  /**
   * Resolves when the consumer has stopped. Rejects when its stream ended with any non-retryable
   * error except `UNKNOWN` (validation, authentication, permission, TLS, a `BROKER` or `INTERNAL`
   * error the broker answered with, …), or when a finite `reconnect.maxAttempts` ran out.
   */
  readonly done: Promise<void>;
  /**
   * Finishes and settles the batch in hand, waits for the poll in flight to answer (at most its
   * `waitTimeoutMs` and a second; what it took goes back to the queue unhandled), then ends the
   * stream. No poll goes out after it. Idempotent. Calling it from inside a handler: do not await
   * it there (it waits for that handler).
   */
  stop(): Promise<void>;
  /** Same as `stop()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Options of `queueConsumer()`: which queue, how much per poll, and how errors are reported.
 *
 * @example
 * ```ts
 * const options: ConsumeOptions = { channel: 'tasks', maxItems: 20, concurrency: 4, onError: (error) => console.error(error) };
 * ```
 */
export interface ConsumeOptions {
  /** The queue (an exact name: no wildcards). */
  channel: string;
  /**
   * Messages per poll, 1..200 000 (`QueueLimits.maxPollItems`). Default 10: what a broker crash can
   * strand grows with it (see `QueueConsumerStats.transactionsOpenAtLoss`).
   */
  maxItems?: number | undefined;
  /** Handler calls running at once within a batch, 1..10 000. Default 1. */
  concurrency?: number | undefined;
  /**
   * How long each poll waits, 1000..3 600 000 ms (the broker counts ms here). Default 1000, the
   * least the broker allows: a poll still waiting when the broker is stopped gracefully keeps what
   * it took (see docs/queues.md).
   */
  waitTimeoutMs?: number | undefined;
  /** Stops the consumer (as `stop()` does). */
  signal?: AbortSignal | undefined;
  /**
   * Told of each handler error (with its message, which was nacked) and of each settlement the
   * broker did not confirm (without a message: the batch is delivered again). Default: a warning
   * through the client's `logger` (nothing when it has none). A callback that throws, or returns a
   * promise that rejects, does not stop the consumer.
   */
  onError?: ((error: unknown, message?: PolledQueueMessage) => void) | undefined;
}
