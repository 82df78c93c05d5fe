import { TimeoutError, ValidationError, type CallOptions, type IterableObservable, type KubemqClient } from '@kubemq/core';
import type { Observable } from 'rxjs';
import {
  brokerError,
  checked,
  clientInternals,
  flatten,
  isEmptyQueueError,
  iterableObservable,
  closedOptions,
  newId,
  tracedAfter,
  tracedDeliveries,
  tracedSend,
  validatePositiveInt,
  validateSignal,
  type ClientInternals,
  type LoopPace,
} from '@kubemq/core/internal';
import { iteratorBufferSize } from './internal/buffer-size.js';
import { handedOnDemand } from './internal/consumer/hand-over.js';
import { drainedPollTransactions, type PollLoopOptions } from './internal/consumer/subscribe.js';
import { isSendFailure, toBatchResult, toQueuesInfo, toReceivedMessage, toSendResult } from './internal/conversions.js';
import { newLaneCounters } from './internal/downstream/lane.js';
import { LanePool } from './internal/downstream/poll.js';
import { infoFilter } from './internal/info-names.js';
import { simpleLine } from './internal/simple-line.js';
import { MIN_POLL_WAIT_MS, type QueueLimits } from './internal/limits.js';
import {
  ACK_ALL_QUEUE_MESSAGES as PURGE_QUEUE,
  QUEUES_INFO,
  RECEIVE_QUEUE_MESSAGES,
  SEND_QUEUE_MESSAGE,
  SEND_QUEUE_MESSAGES_BATCH,
} from './internal/methods.js';
import { queueProcessOperation, queueReceiveOperation, queueSendOperation } from './internal/telemetry.js';
import {
  requireBatchFits,
  requireMessageFits,
  SUBSCRIPTION_KEYS,
  SUBSCRIPTION_RENAMED,
  toWireMessage,
  toWireMessages,
  validateCallOptions,
  validateInfoChannels,
  validateLimits,
  validatePoll,
  validatePurge,
  validateReceive,
  type ValidCallOptions,
  type ValidPoll,
  type ValidReceive,
} from './internal/validation.js';
import type {
  PolledQueueMessage,
  PollResponse,
  QueueBatchSendResult,
  QueueMessage,
  QueuePollOptions,
  QueuePurgeOptions,
  QueueReceiveOptions,
  QueueReceiveResult,
  QueueSendResult,
  QueuesInfo,
  QueuesInfoOptions,
} from './types.js';
import { PACKAGE } from './version.js';

/**
 * Options of {@link queues}.
 *
 * @example
 * ```ts
 * const q = queues(client, { limits: { maxDelaySeconds: 86_400 } });
 * ```
 */
export interface QueuesOptions {
  /** The broker's `QUEUE_*` limits, when it is configured differently from the defaults. */
  limits?: { [K in keyof QueueLimits]?: QueueLimits[K] | undefined } | undefined;
  /** Idle downstream streams kept for the next `poll()`. Default 2. */
  maxIdleStreams?: number | undefined;
}

/**
 * What `subscribe()` and `transactions()` poll.
 *
 * @example
 * ```ts
 * const sub: QueuesSubscription = { channel: 'tasks', maxItems: 50, waitTimeoutMs: 5000 };
 * ```
 */
export interface QueuesSubscription {
  /** The queue (an exact name: no wildcards). */
  channel: string;
  /** Messages per transaction (batch size), 1..200 000. Default 10. */
  maxItems?: number | undefined;
  /**
   * How long each poll waits, 1000..3 600 000 ms. Default 1000, the least the broker allows: a poll
   * still waiting when the broker is stopped gracefully keeps what it took (see docs/queues.md).
   */
  waitTimeoutMs?: number | undefined;
  /** At-most-once: the broker acks on delivery and nothing is settled. */
  autoAck?: boolean | undefined;
  /**
   * How many received messages (`subscribe()`) or transactions (`transactions()`) may wait for a
   * slow `for await` reader before it fails with an `IteratorOverflowError`, as on every
   * subscription. Default 1024; for `subscribe()` at least `maxItems`. A queue loop is handed what
   * it polls as it asks for it, and polls no further ahead, so it never gets that far behind.
   */
  bufferSize?: number | undefined;
  /**
   * Aborting it ends the subscription quietly, as unsubscribing or leaving the loop does: a
   * subscriber sees it complete, and a `for await` loop ends at once while it waits, else at its
   * next step (the message or transaction its body holds is its own to settle until then). The
   * stream ends, and the broker returns what is left unsettled to the queue. With `autoAck` the
   * broker acks what a poll takes, so a poll already waiting is not cut: the subscription ends once
   * it answers (within its `waitTimeoutMs`), after handing over what it took. Already aborted,
   * nothing is opened.
   */
  signal?: AbortSignal | undefined;
}

/** One pool of poll streams per client, however many QueuesClient objects are made for it. */
const pools = new WeakMap<ClientInternals, LanePool>();

function lanePool(internals: ClientInternals, maxIdle: number): LanePool {
  let pool = pools.get(internals);
  if (!pool) {
    const created = new LanePool(internals, newLaneCounters(), maxIdle);
    internals.track({ drain: (failure) => created.drain(failure) });
    pools.set(internals, created);
    pool = created;
  }
  return pool;
}

/**
 * Queues on a `KubemqClient`: the simple API (send, batch, receive, peek, purge, info) and
 * the stream API (poll transactions, subscribe, transactions). Made by {@link queues}; a
 * consumer that runs a handler for every message is `queueConsumer()`, a send stream for many
 * batches `queueUpstream()`.
 *
 * Only an object made by {@link queues} is accepted where a client of this pattern is taken
 * (`queueConsumer()`, `queueChannel()`, which also take a `KubemqClient`): another object of this
 * shape, such as a decorator or a test double, is refused with a `ValidationError`
 * (`invalid client`). A test double should wrap a real client (and hand these functions the client
 * itself), or run against the broker of `@kubemq/testing`.
 *
 * @example
 * ```ts
 * const q = queues(client);
 * await q.send({ channel: 'tasks', body: 'hello' });
 * ```
 */
export interface QueuesClient {
  /**
   * Sends one message and resolves with the broker's answer (`sentAt`, and `delayedTo` /
   * `expiresAt` when the policy sets them). A message the broker refuses throws a `KubemqError`
   * with the broker's `brokerCode`; a batch reports such refusals in its results instead.
   *
   * @example
   * ```ts
   * const { id, sentAt } = await queues(client).send({ channel: 'tasks', body: 'resize 42', policy: { delaySeconds: 5 } });
   * ```
   */
  send(message: QueueMessage, options?: CallOptions): Promise<QueueSendResult>;
  /**
   * Sends many messages in one call: one entry per message, in order (a `QueueSendResult` for each
   * stored message, a `QueueSendFailure` for each refused one), plus the number that failed
   * (computed from the results; the broker's own flag misses validation failures). Refusals do not
   * throw; a failure of the whole call does.
   *
   * @example
   * ```ts
   * const { results, failed } = await queues(client).sendBatch([{ channel: 'a', body: '1' }, { channel: 'b', body: '2' }]);
   * ```
   */
  sendBatch(messages: readonly QueueMessage[], options?: CallOptions): Promise<QueueBatchSendResult>;
  /**
   * Receives up to `maxItems` messages, waiting up to `waitTimeoutSeconds`. **At-most-once:** the
   * broker acks each message as it takes it, before replying; a message lost on the way (or in a
   * crash of this process) is gone, and so is what it took for a receive that is aborted or times
   * out. The broker waits the full time when fewer messages exist. Use `poll()` or
   * `queueConsumer()` to ack after processing. `callOptions.timeoutMs` bounds the whole call
   * (default: the wait plus the client's `defaultTimeoutMs`, at least a second); one that leaves less than a second
   * after the wait is a ValidationError. The broker serves one queue's receives, peeks and purges
   * one at a time, so this client sends its own one at a time too: an explicit `timeoutMs` counts
   * the time behind this client's earlier ones, and a receive left with less than its wait and a
   * second when its turn comes fails with `TimeoutError` unsent.
   *
   * @example
   * ```ts
   * const { messages } = await queues(client).receive({ channel: 'tasks', maxItems: 10, waitTimeoutSeconds: 1 });
   * ```
   */
  receive(options: QueueReceiveOptions, callOptions?: CallOptions): Promise<QueueReceiveResult>;
  /**
   * Looks at up to `maxItems` waiting messages without removing them (the same wait as
   * `receive()`, and the same turns: see there). Messages in flight elsewhere are not visible;
   * expired ones are dropped by the look.
   *
   * @example
   * ```ts
   * const { messages } = await queues(client).peek({ channel: 'tasks', maxItems: 10, waitTimeoutSeconds: 1 });
   * ```
   */
  peek(options: QueueReceiveOptions, callOptions?: CallOptions): Promise<QueueReceiveResult>;
  /**
   * Empties a queue and returns how many messages it removed. This is the broker's
   * `AckAllQueueMessages`: it acks every message that is waiting **or arrives** within
   * `waitTimeoutSeconds`, and the call **always takes that long** (default 1 s). Messages held by
   * an open transaction elsewhere are not removed. `callOptions.timeoutMs` bounds the whole call
   * (default: the wait plus the client's `defaultTimeoutMs`, at least a second); one that leaves less than a second
   * after the wait is a ValidationError. While it waits, the broker serves no receive or peek of
   * that queue, and this client sends none (see `receive()`).
   *
   * @example
   * ```ts
   * const purged = await queues(client).purge({ channel: 'tasks' });
   * console.log(`removed ${purged} messages`);
   * ```
   */
  purge(options: QueuePurgeOptions, callOptions?: CallOptions): Promise<number>;
  /**
   * Queue statistics of the queues the broker keeps: those with stored messages (acked messages stay
   * stored until retention removes them), and those a consumer created before anything was sent to
   * them (see {@link QueuesInfo.queues}). `channels` are exact names (no patterns). The open-source broker trims
   * the characters `_QUES.` off both ends of each queue name it reports and filters on that trimmed
   * name; the SDK sends the trimmed form of each requested name and restores the real names in the
   * answer. Queues whose names trim to the same (`ORDERS` and `ORDER`) match each other's filter
   * and count in the totals: when more than one comes back, they keep the trimmed name; when only
   * one does, it is given the name asked for, so a queue `ORDERS` with no stored messages can show
   * the figures of a queue `ORDER`. A name made only of those characters (`QUEUES`) cannot be
   * asked for (a ValidationError): the broker would report every queue. Without `channels`, names
   * starting or ending with one of those characters are listed as the broker mangled them
   * (`QA_S` → `A`).
   *
   * @example
   * ```ts
   * const info = await queues(client).info({ channels: ['tasks'] });
   * console.log(info.queues[0]?.waiting);
   * ```
   */
  info(options?: QueuesInfoOptions, callOptions?: CallOptions): Promise<QueuesInfo>;
  /**
   * Polls one transaction of up to `maxItems` messages. Settle it (whole or per message) or close
   * it; until then its stream serves nothing else, so a pending poll never delays a settlement.
   * Settle promptly: a transaction that got fewer than `maxItems` keeps capturing new messages,
   * hidden from everyone, until it is settled or closed. `callOptions.timeoutMs` bounds the poll
   * (default: the wait plus the client's `defaultTimeoutMs`), the time spent waiting for the
   * connection included: one whose deadline passes there fails with `TimeoutError` unsent, taking
   * nothing. A poll asks the broker to wait no longer than its `timeoutMs` (or what a wait for the
   * connection left of its deadline) leaves, less a second for the answer, since the broker goes
   * on waiting, and taking, after a poll is cut; it fails with `TimeoutError` unsent when that is
   * under the broker's 1 s. A `signal` that has already aborted fails it with `CANCELLED` before
   * anything is sent; with `autoAck` a poll already sent is not cut by its signal (the broker acks
   * what it takes): it resolves with the broker's answer. Once the client's `close()` has begun a
   * poll fails with `CLOSED`, and one still waiting
   * on the broker rejects `CLOSED` (close() waits for its answer and returns what it took to the
   * queue; with `autoAck` the poll resolves with it); close() also waits, within its drain time,
   * for the transactions in hand to be settled or closed.
   *
   * @example
   * ```ts
   * const tx = await queues(client).poll({ channel: 'tasks', maxItems: 10, waitTimeoutMs: 1000 });
   * await tx.ackAll();
   * ```
   */
  poll(options: QueuePollOptions, callOptions?: CallOptions): Promise<PollResponse>;
  /**
   * Messages from repeated polls, as an Observable (also `for await`). Settle each message
   * (`ack()`, `nack()`, `requeue()`; each resolves once the broker has processed it): the next poll
   * goes out with the settlement of the last unsettled message of the previous one (on the same
   * stream, served after it), never one poll per message.
   * With `autoAck` there is nothing to settle (at-most-once). Re-opens after a reconnect;
   * unsubscribing (or leaving the loop) ends the stream, once the settlements already written are
   * proved (or the poll that proves them reaches its deadline), and the broker returns unsettled
   * messages to the queue. The client's `close()` polls no
   * more and waits, within its drain time, for the messages of the poll in hand to be settled;
   * then the subscription completes (a `for await` loop ends).
   *
   * @example
   * ```ts
   * for await (const msg of queues(client).subscribe({ channel: 'tasks', maxItems: 10, signal })) {
   *   if (msg.settlement === 'released') continue; // lost with its stream: it comes back
   *   console.log(msg.text());
   *   // A broker restart loses the transaction in hand: its messages come back (a crash may keep
   *   // them: see docs/queues.md), the loop goes on.
   *   await msg.ack().catch((err) => {
   *     if (!(err instanceof QueueTransactionError && err.reason === 'lost')) throw err;
   *   });
   * }
   * ```
   */
  subscribe(options: QueuesSubscription): IterableObservable<PolledQueueMessage>;
  /**
   * Repeated polls as an Observable (also `for await`) of whole transactions: settle each one (all
   * at once, by sequence or per message) or close it; the next poll goes out right behind the
   * settlement that ends it, and the next transaction is emitted once that one is confirmed.
   * The client's `close()` polls no more and waits, within its drain time, for the transaction in
   * hand to be settled or closed; then the subscription completes (a `for await` loop ends).
   *
   * @example
   * ```ts
   * for await (const tx of queues(client).transactions({ channel: 'tasks', maxItems: 100, signal })) {
   *   for (const m of tx.messages) console.log(m.text());
   *   // A broker restart loses the transaction in hand: its messages come back (a crash may keep
   *   // them: see docs/queues.md), the loop goes on.
   *   await tx.ackAll().catch((err) => {
   *     if (!(err instanceof QueueTransactionError && err.reason === 'lost')) throw err;
   *   });
   * }
   * ```
   */
  transactions(options: QueuesSubscription): IterableObservable<PollResponse>;
}

/** {@link QueuesClient} on one client (consumers take its internals, limits and subscriptions too). */
export class QueuesOnClient implements QueuesClient {
  readonly internals: ClientInternals;
  readonly limits: QueueLimits;
  private readonly pool: LanePool;

  /** `client` is shared, not owned: closing it is the app's. */
  constructor(client: KubemqClient, options: QueuesOptions = {}) {
    this.internals = clientInternals(client, 'queues', PACKAGE);
    const { limits, maxIdle } = checked('queues', undefined, () => {
      const o = closedOptions(options, 'queues', ['limits', 'maxIdleStreams']);
      return {
        limits: validateLimits(o.limits),
        maxIdle: o.maxIdleStreams === undefined ? 2 : validatePositiveInt(o.maxIdleStreams, 'maxIdleStreams', { min: 0 }),
      };
    });
    this.limits = limits;
    this.pool = lanePool(this.internals, maxIdle);
  }

  get timeoutMs(): number {
    return this.internals.options.defaultTimeoutMs;
  }

  async send(message: QueueMessage, options?: CallOptions): Promise<QueueSendResult> {
    const operation = 'queues.send';
    const maxBytes = this.internals.options.maxMessageBytes;
    const { wire, call } = checked(operation, message?.channel, () => {
      const built = toWireMessage(message, '', this.internals.clientId, this.limits, maxBytes);
      requireMessageFits(built, 'message', maxBytes);
      return { wire: built, call: validateCallOptions(options) };
    });
    const recheck = () => checked(operation, wire.Channel, () => requireMessageFits(wire, 'message', maxBytes));
    return tracedSend(this.internals.telemetry, () => queueSendOperation([wire]), recheck, async () => {
      const result = await this.internals.unary(SEND_QUEUE_MESSAGE, wire, { operation, channel: wire.Channel, ...call });
      const mapped = toSendResult(result, { operation, channel: wire.Channel });
      if (isSendFailure(mapped)) throw mapped.error;
      return mapped;
    });
  }

  async sendBatch(messages: readonly QueueMessage[], options?: CallOptions): Promise<QueueBatchSendResult> {
    const operation = 'queues.sendBatch';
    const maxBytes = this.internals.options.maxMessageBytes;
    const { wire, call } = checked(operation, undefined, () => ({
      wire: toWireMessages(messages, 'messages', this.internals.clientId, this.limits, maxBytes),
      call: validateCallOptions(options),
    }));
    const batchId = newId();
    const recheck = () => checked(operation, undefined, () => requireBatchFits(wire, 'messages', maxBytes));
    return tracedSend(this.internals.telemetry, () => queueSendOperation(wire), recheck, async () => {
      const response = await this.internals.unary(SEND_QUEUE_MESSAGES_BATCH, { BatchID: batchId, Messages: wire }, { operation, ...call });
      return toBatchResult(response.BatchID || batchId, wire, response.Results, operation);
    });
  }

  async receive(options: QueueReceiveOptions, callOptions?: CallOptions): Promise<QueueReceiveResult> {
    const { req, call } = checked('queues.receive', options?.channel, () => ({
      req: validateReceive(options, this.limits),
      call: validateCallOptions(callOptions, 'callOptions'),
    }));
    // The broker waits out its whole wait when fewer than maxItems are there, acking what it
    // takes: a client deadline at or before its answer would drop it, and those messages with it.
    requireTimeForWait('queues.receive', req, call, 'which it waits out whenever fewer than maxItems messages are there, acking what it takes: a receive cut short loses those messages');
    return tracedAfter(
      this.internals.telemetry,
      () => this.receiveOrPeek(req, call, false),
      (result) => queueReceiveOperation('receive', req.channel, result?.messages),
    );
  }

  async peek(options: QueueReceiveOptions, callOptions?: CallOptions): Promise<QueueReceiveResult> {
    const { req, call } = checked('queues.peek', options?.channel, () => ({
      req: validateReceive(options, this.limits),
      call: validateCallOptions(callOptions, 'callOptions'),
    }));
    return this.receiveOrPeek(req, call, true);
  }

  private receiveOrPeek(req: ValidReceive, call: ValidCallOptions, peek: boolean): Promise<QueueReceiveResult> {
    const operation = peek ? 'queues.peek' : 'queues.receive';
    return this.inTurn(operation, req, call, !peek, async (timeoutMs, maxWaitMs) => {
      const response = await this.internals.unary(
        RECEIVE_QUEUE_MESSAGES,
        {
          RequestID: newId(),
          ClientID: this.internals.clientId,
          Channel: req.channel,
          MaxNumberOfMessages: req.maxItems,
          WaitTimeSeconds: req.waitSeconds,
          IsPeak: peek,
        },
        {
          operation,
          channel: req.channel,
          signal: call.signal,
          timeoutMs,
          maxWaitMs,
          // The broker acks what it receives before it answers: the answer is the only copy.
          outlivesClose: !peek,
        },
      );
      if (response.IsError && !isEmptyQueueError(response.Error)) {
        throw brokerError(response.Error, { operation, channel: req.channel });
      }
      return { messages: response.Messages.map(toReceivedMessage), expired: response.MessagesExpired };
    });
  }

  async purge(options: QueuePurgeOptions, callOptions?: CallOptions): Promise<number> {
    const operation = 'queues.purge';
    const { req, call } = checked(operation, options?.channel, () => ({
      req: validatePurge(options, this.limits),
      call: validateCallOptions(callOptions, 'callOptions'),
    }));
    requireTimeForWait(operation, req, call, 'which a purge always waits out: a shorter timeout always fails, and stops the purge early');
    return this.inTurn(operation, req, call, true, async (timeoutMs, maxWaitMs) => {
      const response = await this.internals.unary(
        PURGE_QUEUE,
        { RequestID: newId(), ClientID: this.internals.clientId, Channel: req.channel, WaitTimeSeconds: req.waitSeconds },
        { operation, channel: req.channel, signal: call.signal, timeoutMs, maxWaitMs },
      );
      if (response.IsError) throw brokerError(response.Error, { operation, channel: req.channel });
      return Number(response.AffectedMessages);
    });
  }

  /**
   * Sends a simple call once this client's earlier ones on its queue have ended (the broker
   * serves them one at a time: {@link SimpleLine}), with what is left of the caller's
   * `timeoutMs`, or by default the broker's wait plus the client's default timeout. A call that
   * needs its `wholeWait` (a receive, a purge) must get the wait and the answer within that: one
   * left with less fails unsent, and one sent may wait for a reconnect only as long as that still
   * leaves (`maxWaitMs`), since the broker acks what it takes whether or not its answer comes in
   * time. A peek loses nothing when cut short.
   */
  private inTurn<T>(
    operation: string,
    req: { channel: string; waitSeconds: number },
    call: ValidCallOptions,
    wholeWait: boolean,
    send: (timeoutMs: number, maxWaitMs: number | undefined) => Promise<T>,
  ): Promise<T> {
    return simpleLine(this.internals).run(req.channel, { operation, timeoutMs: call.timeoutMs, signal: call.signal }, async (waitedMs) => {
      const needed = timeForWait(req.waitSeconds);
      const timeoutMs =
        call.timeoutMs === undefined ? waitMs(req.waitSeconds) + Math.max(this.timeoutMs, RECEIVE_ANSWER_MARGIN_MS) : Math.floor(call.timeoutMs - waitedMs);
      if (!wholeWait) return send(Math.max(timeoutMs, 1), undefined);
      if (timeoutMs < needed) {
        throw new TimeoutError({
          operation,
          channel: req.channel,
          timeoutMs: call.timeoutMs ?? timeoutMs,
          sent: false,
          message: `${operation} was not sent: ${Math.round(waitedMs)} ms behind this client's earlier calls on the queue left ${timeoutMs} ms of its timeoutMs, less than the broker's wait of ${req.waitSeconds} s and a second`,
        });
      }
      return send(timeoutMs, timeoutMs - needed);
    });
  }

  async info(options: QueuesInfoOptions = {}, callOptions?: CallOptions): Promise<QueuesInfo> {
    const { channels, call } = checked('queues.info', undefined, () => {
      // `channel` would otherwise ask for every queue.
      const o = closedOptions(options, 'queues.info', ['channels'], { channel: 'channels' });
      return { channels: validateInfoChannels(o.channels), call: validateCallOptions(callOptions, 'callOptions') };
    });
    const { filter, realName } = infoFilter(channels);
    const response = await this.internals.unary(QUEUES_INFO, { RequestID: newId(), QueueName: filter }, { operation: 'queues.info', ...call });
    const info = toQueuesInfo(response.Info);
    // A trimmed name that comes back more than once stands for several queues (`ORDERS` and
    // `ORDER` both trim to `ORDER`): which one was asked for cannot be told, so they keep it.
    const seen = new Map<string, number>();
    for (const q of info.queues) seen.set(q.name, (seen.get(q.name) ?? 0) + 1);
    for (const q of info.queues) if (seen.get(q.name) === 1) q.name = realName.get(q.name) ?? q.name;
    return info;
  }

  async poll(options: QueuePollOptions, callOptions?: CallOptions): Promise<PollResponse> {
    const { req, call } = checked('queues.poll', options?.channel, () => ({
      req: validatePoll(options, this.limits),
      call: validateCallOptions(callOptions, 'callOptions'),
    }));
    return this.pool.poll(req, call);
  }

  subscribe(options: QueuesSubscription): IterableObservable<PolledQueueMessage> {
    const { req, bufferSize, signal } = checked('queues.subscribe', options?.channel, () => {
      const valid = this.subscription(options);
      return { req: valid, bufferSize: iteratorBufferSize(options.bufferSize, valid.maxItems), signal: validateSignal(options.signal) };
    });
    const messages = (pace?: LoopPace) => drainedPollTransactions(this.internals, this.pollLoopOptions(req, 'queues.subscribe', pace), signal).pipe(flatten((tx) => tx.messages));
    // A subscriber's callback handles each message inside a process span; a `for await` loop reads
    // them untraced, since it handles each one after it was buffered.
    const traced = messages().pipe(tracedDeliveries<PolledQueueMessage>(this.internals.telemetry, queueProcessOperation));
    return iterableObservable<PolledQueueMessage>(traced, { bufferSize, signal, paced: (pace) => handedOnDemand(pace, messages, req.autoAck ? undefined : signal) });
  }

  transactions(options: QueuesSubscription): IterableObservable<PollResponse> {
    const { req, bufferSize, signal } = checked('queues.transactions', options?.channel, () => ({
      req: this.subscription(options),
      bufferSize: iteratorBufferSize(options.bufferSize, 1),
      signal: validateSignal(options.signal),
    }));
    const transactions = (pace?: LoopPace): Observable<PollResponse> => drainedPollTransactions(this.internals, this.pollLoopOptions(req, 'queues.transactions', pace), signal);
    return iterableObservable<PollResponse>(transactions(), { bufferSize, signal, paced: (pace) => handedOnDemand(pace, transactions, req.autoAck ? undefined : signal) });
  }

  /**
   * A poll loop's options. A `for await` loop paces it, and is handed what it polls as it asks
   * (handedOnDemand). With autoAck the broker acks what it hands out, so the next poll waits until
   * the loop has taken every message of the last one, and a loop that ends loses at most the rest
   * of the batch in hand. Without, the next poll goes out with the settlement that ends the batch,
   * which the loop has then read; one lost with its stream before that waits for the loop too.
   */
  private pollLoopOptions(request: ValidPoll, operation: string, pace: LoopPace | undefined): PollLoopOptions {
    return {
      request,
      operation,
      defaultTimeoutMs: this.timeoutMs,
      counters: newLaneCounters(),
      ...(pace && { delivered: () => pace.drained() }),
    };
  }


  /** A validated subscription (also what a consumer polls). */
  subscription(options: QueuesSubscription): ValidPoll {
    const o = closedOptions(options, 'validate', SUBSCRIPTION_KEYS, SUBSCRIPTION_RENAMED, { required: true });
    return validatePoll(
      { channel: o.channel, maxItems: o.maxItems ?? 10, waitTimeoutMs: o.waitTimeoutMs ?? MIN_POLL_WAIT_MS, ...(o.autoAck !== undefined && { autoAck: o.autoAck }) },
      this.limits,
    );
  }
}

/** How long a receive's answer may take after the broker's wait, at least, in a caller's `timeoutMs`. */
const RECEIVE_ANSWER_MARGIN_MS = 1000;

/** The broker's whole wait and a second for its answer: what a receive or a purge needs of its timeout. */
function timeForWait(waitSeconds: number): number {
  return waitMs(waitSeconds) + RECEIVE_ANSWER_MARGIN_MS;
}

/** A receive's or a purge's `timeoutMs` must cover the broker's whole wait and a second for the answer. */
function requireTimeForWait(operation: string, req: { channel: string; waitSeconds: number }, call: ValidCallOptions, why: string): void {
  const shortest = timeForWait(req.waitSeconds);
  if (call.timeoutMs === undefined || call.timeoutMs >= shortest) return;
  throw new ValidationError({
    operation,
    channel: req.channel,
    field: 'callOptions.timeoutMs',
    message: `invalid callOptions.timeoutMs: ${call.timeoutMs} ms leaves no time for the answer after the broker's wait of ${req.waitSeconds} s, ${why} (give at least ${shortest} ms, or a shorter waitTimeoutSeconds)`,
  });
}

/** A broker-side wait in whole seconds (never 0: validation sends 0 as 1), as ms. */
function waitMs(seconds: number): number {
  return seconds * 1000;
}

/**
 * Attaches queues to a client. Nothing is registered at import time; per-client state lives on the
 * returned instance.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { queues } from '@kubemq/queues';
 *
 * await using client = await KubemqClient.connect({ address: 'localhost:50000' });
 * await queues(client).send({ channel: 'tasks', body: 'hello' });
 * ```
 */
export function queues(client: KubemqClient, options?: QueuesOptions): QueuesClient {
  return new QueuesOnClient(client, options);
}
