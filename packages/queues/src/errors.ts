import { KubemqError } from '@kubemq/core';

/**
 * Why a transaction (or one of its messages) takes no more settlements.
 *
 * @example
 * ```ts
 * const reason: TransactionEndReason = 'lost'; // its stream ended; the broker returned the messages
 * ```
 */
export type TransactionEndReason = 'settled' | 'closed' | 'lost';

/**
 * A settlement was asked of a transaction or message that can no longer take one: it is already
 * settled, it was closed, or its stream ended (the broker then returned its unsettled messages to
 * the queue); nothing was sent. With `reason: 'lost'` it is also how a settlement already sent
 * fails when its stream ends before the broker confirms it (a broker restart, a network drop, a
 * deadline the SDK applied, `close()`'s drain time; a `timeoutMs` or `signal` you gave it rejects
 * with `TIMEOUT` or `CANCELLED` instead). Either way the broker delivers again what it did not
 * apply of a `lost` transaction: carry on with the next one (a loop re-opens by itself). Code
 * `CLOSED`, never retryable: the transaction is gone.
 *
 * @example
 * ```ts
 * for await (const tx of queues(client).transactions({ channel: 'tasks' })) {
 *   try {
 *     await tx.ackAll();
 *   } catch (err) {
 *     if (!(err instanceof QueueTransactionError && err.reason === 'lost')) throw err;
 *     // lost with its stream: the broker delivers these messages again
 *   }
 * }
 * ```
 */
export class QueueTransactionError extends KubemqError {
  /** Always `'QueueTransactionError'`. */
  override readonly name: string = 'QueueTransactionError';
  /** The broker's id of the transaction the settlement was asked of. */
  readonly transactionId: string;
  /** Why it takes no more settlements: already `settled`, `closed`, or `lost` with its stream. */
  readonly reason: TransactionEndReason;
  /** The message concerned, for a per-message settlement. */
  readonly sequence: number | undefined;

  constructor(options: {
    operation: string;
    channel: string;
    transactionId: string;
    reason: TransactionEndReason;
    sequence?: number | undefined;
    /** What happened, for a settlement that was sent (by default the message says nothing was sent). */
    message?: string | undefined;
    /** What ended the stream. */
    cause?: unknown;
  }) {
    const what = options.sequence === undefined ? 'the transaction' : `message ${options.sequence} of the transaction`;
    const why = {
      settled: 'is already settled',
      closed: 'is closed',
      lost: "was lost with its stream (the broker returned its unsettled messages to the queue)",
    }[options.reason];
    super({
      code: 'CLOSED',
      retryable: false,
      operation: options.operation,
      channel: options.channel,
      message: options.message ?? `${what} ${why}; nothing was sent`,
      cause: options.cause,
    });
    this.transactionId = options.transactionId;
    this.reason = options.reason;
    this.sequence = options.sequence;
  }

  /** The error's fields as a plain object (for logs), its own ones included. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), transactionId: this.transactionId, reason: this.reason, sequence: this.sequence };
  }
}
