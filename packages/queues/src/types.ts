import type { CallOptions, KubemqError, MessageBody, Tags } from '@kubemq/core';

/**
 * Delivery policy of one queue message. Durations are whole seconds, as the broker counts them
 * (`1.5` is rejected with a ValidationError, never rounded).
 *
 * @example
 * ```ts
 * const policy: QueuePolicy = { delaySeconds: 5, expirationSeconds: 60, maxReceiveCount: 3, deadLetterQueue: 'tasks.dlq' };
 * ```
 */
export interface QueuePolicy {
  /** Keep the message invisible for this many seconds after sending (0..43 200, `QueueLimits.maxDelaySeconds`). */
  delaySeconds?: number | undefined;
  /**
   * Drop the message when it has not been delivered this many seconds after it became visible
   * (0..43 200, `QueueLimits.maxExpirationSeconds`).
   */
  expirationSeconds?: number | undefined;
  /**
   * How many negative settlements (nack, reject, an expired visibility) the message takes
   * (1..1024; the broker uses 1024 when unset): the one that reaches this count moves it to
   * `deadLetterQueue`, or drops it when none is set. A transaction closed or lost with its stream
   * returns the message without counting, so a consumer that crashes on it gets it again, forever.
   */
  maxReceiveCount?: number | undefined;
  /** Where a message goes after `maxReceiveCount` deliveries. */
  deadLetterQueue?: string | undefined;
}

/**
 * A message to send to a queue.
 *
 * @example
 * ```ts
 * const msg: QueueMessage = { channel: 'tasks', body: JSON.stringify({ job: 42 }), tags: { kind: 'resize' } };
 * ```
 */
export interface QueueMessage {
  /** The queue. No wildcards, no whitespace, no `/`, no empty token, at most 246 bytes. */
  channel: string;
  /** Strings are sent as UTF-8. A message needs a body or metadata (tags alone do not count). */
  body?: MessageBody | undefined;
  /** Free-form text sent with the message. */
  metadata?: string | undefined;
  /** String key/value pairs sent with the message. */
  tags?: Tags | undefined;
  /** Generated when absent, so results can be correlated. */
  id?: string | undefined;
  /** Delay, expiration, and delivery limit with a dead-letter queue. */
  policy?: QueuePolicy | undefined;
}

/**
 * The broker's answer for one stored message: what `send()` resolves with, and each stored
 * message of a batch.
 *
 * @example
 * ```ts
 * const result: QueueSendResult = await queues(client).send({ channel: 'tasks', body: 'x' });
 * console.log(result.id, result.sentAt.toISOString());
 * ```
 */
export interface QueueSendResult {
  /** The message id (the one you set, or the generated one). */
  readonly id: string;
  /** When the broker stored the message. */
  readonly sentAt: Date;
  /** When a delayed message becomes visible; undefined when it is not delayed. */
  readonly delayedTo: Date | undefined;
  /** When the message expires; undefined when it has no expiration. */
  readonly expiresAt: Date | undefined;
}

/**
 * A message of a batch that the broker refused (or did not answer for): nothing was stored.
 * Tell it from a {@link QueueSendResult} with `'error' in result`.
 *
 * @example
 * ```ts
 * const batch = await queues(client).sendBatch([{ channel: 'tasks', body: 'a' }]);
 * const refused = batch.results.filter((r): r is QueueSendFailure => 'error' in r);
 * for (const r of refused) console.error(r.id, r.error.brokerCode, r.error.message);
 * ```
 */
export interface QueueSendFailure {
  /** The message id (the one you set, or the generated one). */
  readonly id: string;
  /** Why it was not stored: the broker's error (with its `brokerCode`). */
  readonly error: KubemqError;
}

/**
 * The broker's answers for a batch: one per message, in order (a {@link QueueSendResult} for each
 * stored message, a {@link QueueSendFailure} for each refused one), and how many failed.
 *
 * @example
 * ```ts
 * const batch: QueueBatchSendResult = await queues(client).sendBatch([{ channel: 'a', body: '1' }]);
 * for (const r of batch.results) {
 *   if ('error' in r) console.error(r.id, r.error.message);
 *   else console.log(r.id, r.sentAt.toISOString());
 * }
 * ```
 */
export interface QueueBatchSendResult {
  /** The id of the batch request. */
  readonly batchId: string;
  /** One entry per message, in the order sent. */
  readonly results: readonly (QueueSendResult | QueueSendFailure)[];
  /** How many entries of `results` are failures (counted from them: the broker's own `HaveErrors` misses validation failures). */
  readonly failed: number;
}

/**
 * A message as the broker delivered it (simple receive and peek; a polled message extends it).
 *
 * @example
 * ```ts
 * const { messages } = await queues(client).peek({ channel: 'tasks', maxItems: 10, waitTimeoutSeconds: 1 });
 * for (const m of messages) console.log(m.sequence, m.receiveCount, m.text());
 * ```
 */
export interface QueueMessageReceive {
  /** The message id, as the sender set it (or as generated when it set none). */
  readonly id: string;
  /** The queue it was received from. */
  readonly channel: string;
  /** The payload as bytes; `text()` and `json()` decode it. */
  readonly body: Uint8Array;
  /** The sender's metadata (`''` when none). */
  readonly metadata: string;
  /** The sender's tags (`{}` when none). */
  readonly tags: Readonly<Tags>;
  /** The sender's client id. */
  readonly clientId: string;
  /** The broker's sequence in this queue (a nacked or delayed message gets a new one). */
  readonly sequence: number;
  /** When the broker stored the message. */
  readonly timestamp: Date;
  /** When the broker stored the message, in Unix nanoseconds (the wire's precision). */
  readonly timestampNanos: bigint;
  /** How many times the message has been delivered, this delivery included. */
  readonly receiveCount: number;
  /** True when the message was moved here from another queue (dead-lettered). */
  readonly reRouted: boolean;
  /** The queue it was moved from, when `reRouted`. */
  readonly reRoutedFromQueue: string | undefined;
  /** When the broker drops the message as expired (from `policy.expirationSeconds`); undefined when it has no expiration. */
  readonly expiresAt: Date | undefined;
  /** When a delayed message became visible (from `policy.delaySeconds`); undefined when it was not delayed. */
  readonly delayedTo: Date | undefined;
  /** The policy the message carries, in whole seconds like the one sent (all unset after dead-lettering). */
  readonly policy: Readonly<QueuePolicy>;
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
}

/**
 * What a simple receive or peek returned.
 *
 * @example
 * ```ts
 * const { messages, expired }: QueueReceiveResult = await queues(client).receive({ channel: 'tasks', maxItems: 5, waitTimeoutSeconds: 1 });
 * ```
 */
export interface QueueReceiveResult {
  /** The messages received (at most `maxItems`). */
  readonly messages: readonly QueueMessageReceive[];
  /** Messages the broker dropped as expired while serving this request. */
  readonly expired: number;
}

/**
 * A simple receive or peek: up to `maxItems` messages within `waitTimeoutSeconds`.
 *
 * @example
 * ```ts
 * const options: QueueReceiveOptions = { channel: 'tasks', maxItems: 10, waitTimeoutSeconds: 1 };
 * ```
 */
export interface QueueReceiveOptions {
  /** The queue (an exact name: no wildcards). */
  channel: string;
  /** 1..1024 (`QueueLimits.maxReceiveItems`). Default 1. */
  maxItems?: number | undefined;
  /**
   * How long the broker waits for `maxItems` messages, in whole seconds (the broker counts
   * seconds), 0..3600 (`QueueLimits.maxReceiveWaitSeconds`; 0 is sent as 1 s, the open-source broker's default).
   * Default 1. The broker returns only when `maxItems` arrived or this time passed: it waits the
   * full time when fewer messages exist.
   */
  waitTimeoutSeconds?: number | undefined;
}

/**
 * Which queue `purge()` empties, and for how long.
 *
 * @example
 * ```ts
 * const options: QueuePurgeOptions = { channel: 'tasks', waitTimeoutSeconds: 1 };
 * ```
 */
export interface QueuePurgeOptions {
  /** The queue (an exact name: no wildcards). */
  channel: string;
  /**
   * How long the broker acks what arrives, in whole seconds, 0..3600 (0 is the broker's default of
   * 1 s). Default 1. The call always takes this long: the broker acks every message that is
   * waiting or arrives within it.
   */
  waitTimeoutSeconds?: number | undefined;
}

/**
 * Statistics of one queue, as `QueuesInfo` reports it.
 *
 * @example
 * ```ts
 * const info = await queues(client).info({ channels: ['tasks'] });
 * const tasks: QueueInfo | undefined = info.queues.find((q) => q.name === 'tasks');
 * ```
 */
export interface QueueInfo {
  /**
   * The queue's name. With `channels` it is the name you asked for; without, it is as the broker
   * reports it, which trims the characters `_QUES.` from both ends (`QA_S.x` is listed as `A_S.x`).
   */
  readonly name: string;
  /** Messages stored, acked ones included until retention removes them. */
  readonly messages: number;
  /** Size in bytes of the stored messages (`messages`), as the broker's store counts them. */
  readonly bytes: number;
  /** Sequence of the oldest stored message (sequences start at 1); 0 for a queue that a consumer created and nothing was ever sent to. */
  readonly firstSequence: number;
  /** Sequence of the newest stored message; 0 for a queue nothing was ever sent to. */
  readonly lastSequence: number;
  /**
   * The span `lastSequence - firstSequence + 1` (nacked and delayed messages are stored again, so
   * they count again). So 1, not 0, for a queue that a consumer created and nothing was sent to.
   */
  readonly sent: number;
  /**
   * Stored messages up to the highest sequence ever handed to a consumer (`firstSequence` to that
   * sequence), settled or not; 0 while the queue has never been consumed from.
   */
  readonly delivered: number;
  /**
   * Messages not yet handed to a consumer, plus those handed out and not yet settled. While the
   * queue has never been consumed from it equals `sent`, so it is not the number left to
   * receive.
   */
  readonly waiting: number;
  /**
   * The broker's consumer count for this queue: 0 while it has never been consumed from, then at
   * least 1 (the broker's durable consumer group stays after the last consumer leaves).
   */
  readonly subscribers: number;
}

/**
 * `QueuesInfo`: totals and per-queue statistics of the queues the broker keeps (see `queues`).
 *
 * @example
 * ```ts
 * const info: QueuesInfo = await queues(client).info();
 * console.log(info.totalQueues, info.waiting);
 * ```
 */
export interface QueuesInfo {
  /** How many queues are listed in `queues` (with `channels`, only those matched). */
  readonly totalQueues: number;
  /** Sum of `sent` over the listed queues. */
  readonly sent: number;
  /** Sum of `delivered` over the listed queues. */
  readonly delivered: number;
  /** Sum of `waiting` over the listed queues. */
  readonly waiting: number;
  /**
   * One entry per queue the broker keeps: one with stored messages (acked messages stay stored, so
   * a drained queue usually still is listed), and one that a consumer (a receive, peek, purge or
   * poll) created before anything was sent to it, listed with no messages, `firstSequence` and
   * `lastSequence` 0 and `sent` 1. A queue whose stored messages retention removed is not listed.
   */
  readonly queues: readonly QueueInfo[];
}

/**
 * Which queues `info()` reports.
 *
 * @example
 * ```ts
 * const opts: QueuesInfoOptions = { channels: ['orders', 'payments'] };
 * ```
 */
export interface QueuesInfoOptions {
  /**
   * Exact queue names (no patterns). Absent: every queue the broker keeps. The broker filters
   * on names with the characters `_QUES.` trimmed off both ends, so `ORDERS` also matches a queue
   * `ORDER` (see `info()`).
   */
  channels?: string | readonly string[] | undefined;
}

/**
 * One poll of the stream API: a transaction holding up to `maxItems` messages.
 *
 * @example
 * ```ts
 * const options: QueuePollOptions = { channel: 'tasks', maxItems: 10, waitTimeoutMs: 1000 };
 * ```
 */
export interface QueuePollOptions {
  /** The queue (an exact name: no wildcards). */
  channel: string;
  /** 1..200 000. Default 1. The broker returns early only when this many arrived. */
  maxItems?: number | undefined;
  /** 1000..3 600 000 ms (the broker's floor is 1000). Default 1000. */
  waitTimeoutMs?: number | undefined;
  /** The broker acks the messages as it delivers them: at-most-once, nothing to settle. */
  autoAck?: boolean | undefined;
}

/**
 * Where a polled message stands: `released` means it went back to the queue unsettled; `settling`,
 * that its settlement awaits the broker's proof, or never got it (the stream ended first, its own
 * deadline passed, or the broker refused it once the transaction was closed), so the broker may
 * or may not have applied it.
 *
 * @example
 * ```ts
 * const open = tx.messages.filter((m) => m.settlement === 'pending');
 * ```
 */
export type MessageSettlement = 'pending' | 'settling' | 'acked' | 'nacked' | 'requeued' | 'released';

/**
 * Where a poll transaction stands: `lost` when its stream ended before it was settled.
 *
 * @example
 * ```ts
 * if (tx.state === 'open') await tx.close();
 * ```
 */
export type TransactionState = 'open' | 'settled' | 'closed' | 'lost';

/**
 * Where `requeue()`, `requeueAll()` and `requeueSequences()` move messages.
 *
 * @example
 * ```ts
 * await message.requeue({ channel: 'tasks.review' });
 * ```
 */
export interface QueueRequeueOptions {
  /** The queue the messages move to (an exact name: no wildcards). */
  channel: string;
}

/**
 * A message received through a poll, settled one by one or with its transaction.
 *
 * @example
 * ```ts
 * const tx = await queues(client).poll({ channel: 'tasks', maxItems: 5 });
 * for (const m of tx.messages) await (m.text() === 'bad' ? m.nack() : m.ack());
 * ```
 */
export interface PolledQueueMessage extends QueueMessageReceive {
  /** The transaction this message was polled in. */
  readonly transactionId: string;
  /** Where this message stands in its transaction. */
  readonly settlement: MessageSettlement;
  /** Remove the message from the queue. Resolves once the broker has processed it. */
  ack(options?: CallOptions): Promise<void>;
  /** Return it to the queue with receive count + 1 (or to the dead-letter queue). */
  nack(options?: CallOptions): Promise<void>;
  /** Move it to another queue (the broker re-sends it there; `reRouted` is not kept). */
  requeue(options: QueueRequeueOptions, callOptions?: CallOptions): Promise<void>;
}

/**
 * A poll transaction: its messages, and how to settle them. Each settlement resolves once the
 * broker has processed it; one whose `signal` has already aborted rejects with `CANCELLED` and
 * sends nothing. The client's `close()` waits, within its drain time, for an open transaction to
 * be settled or closed; one still open after that is `lost` (its messages go back to the queue).
 *
 * @example
 * ```ts
 * const tx: PollResponse = await queues(client).poll({ channel: 'tasks', maxItems: 10 });
 * try { for (const m of tx.messages) handle(m); await tx.ackAll(); } catch { await tx.nackAll(); }
 * ```
 */
export interface PollResponse {
  /** The broker's id of this transaction. */
  readonly transactionId: string;
  /** The queue that was polled. */
  readonly channel: string;
  /** The messages of this transaction (empty when the wait ran out with none). */
  readonly messages: readonly PolledQueueMessage[];
  /** Where the transaction stands now: `open` until settled, closed, or lost with its stream. */
  readonly state: TransactionState;
  /** Ack every message. */
  ackAll(options?: CallOptions): Promise<void>;
  /** Return every unsettled message (receive count + 1, or the dead-letter queue). */
  nackAll(options?: CallOptions): Promise<void>;
  /** Move every unsettled message to another queue. */
  requeueAll(options: QueueRequeueOptions, callOptions?: CallOptions): Promise<void>;
  /** Ack the messages with these sequences. */
  ackSequences(sequences: readonly number[], options?: CallOptions): Promise<void>;
  /** Nack the messages with these sequences. */
  nackSequences(sequences: readonly number[], options?: CallOptions): Promise<void>;
  /** Move the messages with these sequences to another queue. */
  requeueSequences(sequences: readonly number[], options: QueueRequeueOptions, callOptions?: CallOptions): Promise<void>;
  /** Close the transaction: unsettled messages return to the queue without a receive-count increment. */
  close(options?: CallOptions): Promise<void>;
}
