import { KubemqError, TimeoutError } from '@kubemq/core';
import { brokerError, deadline, isEmptyQueueError, QueuesDownstreamRequestType, timeLimit, tracedAfter, type ClientInternals, type QueueMessage as WireQueueMessage } from '@kubemq/core/internal';
import { MIN_POLL_WAIT_MS } from '../limits.js';
import { queueReceiveOperation } from '../telemetry.js';
import type { ValidCallOptions, ValidPoll } from '../validation.js';
import { DownstreamLane, type LaneCounters } from './lane.js';
import { abortedUnsent, PollTransaction, type TransactionHost } from './transaction.js';

/**
 * One Get on a lane that carries no open transaction (or whose transaction has written its ending
 * settlement and its proof ahead of it). The deadline (the call's timeout, else the broker's wait
 * plus the default timeout) counts from the call, a wait for the connection included: one that
 * runs out there sends nothing, and the Get asks the broker to wait no longer than what is left,
 * less a second for the answer. When it passes (or the signal aborts, without autoAck) after the
 * Get is written, the poll fails at once and the lane ends, which makes the
 * broker return whatever that Get had taken (downstream streams are safe to cancel,
 * docs/broker-behaviour.md §5.3), but only once a settlement written ahead of the Get has its
 * proof: that one belongs to another transaction (when the Get is that proof, it fails now:
 * `lane.getExpired`). A signal already aborted (or `pool.stop`, the client's close()) before the
 * Get is written sends nothing, also while the poll waits for the connection. A Get answered on a
 * lane this client is ending is not handed over (its transaction could not be settled), unless
 * with autoAck. On an error answer the lane is free again at once; otherwise it is free when the
 * transaction takes no more requests (`host.onTerminal`).
 */
export function pollOnLane(
  lane: DownstreamLane,
  req: ValidPoll,
  call: ValidCallOptions,
  host: TransactionHost,
  operation: string,
  pool?: PoolControl,
): Promise<PollTransaction> {
  return tracedAfter(
    host.telemetry,
    () => getOnLane(lane, req, call, host, operation, pool),
    (tx) => queueReceiveOperation('poll', req.channel, tx?.messages, { detached: host.detached }),
  );
}

/** What `poll()` adds to a Get (the poll loops have their own ways to stop). */
interface PoolControl {
  /** Aborts when the client's close() begins (its reason: the failure, when the client gave up reconnecting). */
  stop: AbortSignal;
  /**
   * Runs `end` when the client's close() begins (at once when it has), after `stop` aborts;
   * returns what unregisters it. A Set in the pool, not a listener per poll on `stop`.
   */
  onStop(end: () => void): () => void;
  /** Runs once the Get is written. */
  written(): void;
}

async function getOnLane(
  lane: DownstreamLane,
  req: ValidPoll,
  call: ValidCallOptions,
  host: TransactionHost,
  operation: string,
  pool: PoolControl | undefined,
): Promise<PollTransaction> {
  const stop = pool?.stop;
  const unsent = (): KubemqError | undefined => {
    if (call.signal?.aborted) return abortedUnsent(operation, req.channel, 'the poll', call.signal);
    if (stop?.aborted) return closedError(stop, operation, req.channel);
    return undefined;
  };
  let refused = unsent();
  if (refused) throw refused;
  const timeoutMs = call.timeoutMs ?? req.waitTimeoutMs + host.defaultTimeoutMs;
  let waitedMs = 0;
  /** Waited for the connection: only then does the default deadline have less than the wait and defaultTimeoutMs left. */
  let reconnected = false;
  if (!lane.opened) {
    reconnected = !lane.connected;
    const started = performance.now();
    const notInTime = () => notSentInTime(operation, req.channel, timeoutMs, true);
    try {
      await openWithin(lane, req.channel, { timeoutMs, signal: call.signal }, pool?.onStop, notInTime);
    } catch (err) {
      // The wait for the connection ended by the poll's signal, the client's close or the deadline: nothing was sent.
      throw unsent() ?? err;
    }
    waitedMs = performance.now() - started;
  }
  // A Get cut by its deadline waits on at the broker, holding what arrives meanwhile (with autoAck,
  // acking it: lost) until its wait is over (§5.3). So a poll asks for no longer a wait
  // than its deadline leaves, less a second for the answer; with less than the broker's shortest
  // wait left, it is not sent. The default deadline, the wait plus defaultTimeoutMs, leaves the
  // answer its time by itself, unless a wait for the connection took part of it.
  // (Opening a stream on a ready connection takes no time worth counting.)
  const left = timeoutMs - (reconnected ? waitedMs : 0);
  const bounded = call.timeoutMs !== undefined || reconnected;
  const brokerWaitMs = bounded ? Math.min(req.waitTimeoutMs, Math.floor(left - ANSWER_MARGIN_MS)) : req.waitTimeoutMs;
  if (brokerWaitMs < MIN_POLL_WAIT_MS) throw unsent() ?? notSentInTime(operation, req.channel, timeoutMs, reconnected);
  refused = unsent();
  if (refused) throw refused;
  lane.transactionsServed++;
  const get = lane.request({
    RequestTypeData: QueuesDownstreamRequestType.Get,
    Channel: req.channel,
    MaxItems: req.maxItems,
    WaitTimeout: brokerWaitMs,
    AutoAck: req.autoAck,
  });
  pool?.written();
  const waited = Math.round(waitedMs);
  const answer = await deadline(get, {
    operation,
    channel: req.channel,
    timeoutMs: waitedMs > 0 ? Math.ceil(timeoutMs - waitedMs) : timeoutMs,
    // With autoAck the broker acks what the Get hands out, and a Get cut from its stream goes on
    // taking (and acking) until its wait is over: once written, it is not cut by the signal (as
    // close() and a subscription's signal do not cut it), and its answer, which its clamped wait
    // brings within the deadline, is handed over.
    signal: req.autoAck ? undefined : call.signal,
    what: 'the poll',
    sent: true,
    ...(waited > 0 && { late: `did not complete, after waiting ${waited} ms of its ${timeoutMs} ms for the connection,` }),
    onExpire: (err) => lane.getExpired(err),
  });
  if (answer.IsError && !isEmptyQueueError(answer.Error)) {
    throw brokerError(answer.Error, { operation, channel: req.channel });
  }
  const messages = answer.IsError ? [] : answer.Messages;
  if (messages.length === 0 && !answer.IsError && !answer.TransactionComplete) closeEmpty(lane, answer.TransactionId, req.channel);
  const ending = lane.endingHere;
  if (ending && messages.length > 0 && !req.autoAck) {
    // Its transaction could not be settled on a stream this client is ending (with autoAck there
    // is nothing to settle, and what the broker acked must not be dropped).
    lane.noteNotHandedOver(messages.length, req.channel, answer.TransactionId);
    throw new KubemqError({
      code: 'UNAVAILABLE',
      retryable: true,
      operation,
      channel: req.channel,
      message: `${operation}: the poll was answered on a stream this client is ending (${ending.message}); the broker returns the ${messages.length} messages it took to the queue, to be delivered again`,
      cause: ending,
    });
  }
  return new PollTransaction(lane, host, answer, req.channel, messages, req.autoAck, filledUp(messages, req.maxItems));
}

/**
 * Whether a Get filled up: `maxItems` different messages. The broker can hand a redelivered
 * message twice in one answer; counted twice, it would make a short Get look full, and its
 * transaction (which may take in more) be settled whole rather than by name.
 */
function filledUp(messages: readonly WireQueueMessage[], maxItems: number): boolean {
  return messages.length >= maxItems && new Set(messages.map((m) => m.Attributes?.Sequence)).size >= maxItems;
}

/**
 * Opens the lane once the connection is ready, waiting at most `timeoutMs`, and no longer than
 * until `signal` aborts or the pool stops (rejecting with `timedOut()` when the time ran out).
 * One local controller, unlinked once the wait is over: `AbortSignal.any` would leave an entry
 * per poll on a long-lived signal (a caller's signal shared by many polls), kept for its
 * lifetime on Node 20.
 */
async function openWithin(
  lane: DownstreamLane,
  channel: string,
  bound: { timeoutMs: number; signal: AbortSignal | undefined },
  onStop: PoolControl['onStop'] | undefined,
  timedOut: () => KubemqError,
): Promise<void> {
  const wait = new AbortController();
  const disarm = timeLimit(wait, bound);
  const unlink = onStop?.(() => wait.abort('cancelled'));
  try {
    await lane.open(channel, wait.signal);
  } catch (err) {
    throw wait.signal.reason === 'timeout' ? timedOut() : err;
  } finally {
    disarm();
    unlink?.();
  }
}

/** What a poll's deadline keeps for the broker's answer, beyond the broker's wait. */
const ANSWER_MARGIN_MS = 1000;

/**
 * A poll whose deadline passed while it waited for the connection, or left less than the broker's
 * shortest wait and a second (`reconnecting`: after a wait for the connection): no Get went out, so
 * the broker took nothing for it.
 */
function notSentInTime(operation: string, channel: string, timeoutMs: number, reconnecting: boolean): KubemqError {
  const why = reconnecting
    ? `the connection was not ready in time to leave the broker's shortest wait (1 s) and a second of its ${timeoutMs} ms deadline`
    : `its timeoutMs of ${timeoutMs} ms leaves less than the broker's shortest wait (1 s) and a second for the answer (a Get cut by its deadline waits on at the broker, taking what arrives)`;
  return new TimeoutError({ operation, channel, timeoutMs, sent: false, message: `${operation} was not sent: ${why}, so the broker took nothing for it` });
}

/**
 * An empty answer does not mean a closed transaction: an expired message the broker dropped
 * still takes a place of `maxItems`, and such a transaction stays open, silently holding the next
 * messages that arrive (no one else sees them, not even a peek). Only CloseByClient returns them,
 * so every empty poll is closed at once, ahead of the next Get on the stream. Closing one the
 * broker had already closed is harmless: it answers nothing.
 */
function closeEmpty(lane: DownstreamLane, transactionId: string, channel: string): void {
  lane.sendUnanswered({ RequestTypeData: QueuesDownstreamRequestType.CloseByClient, RefTransactionId: transactionId, Channel: channel });
}

/**
 * What `poll()` rejects with on a client that is closing or closed: the failure `stop` was aborted
 * with when the client gave up reconnecting, else CLOSED.
 */
function closedError(stop: AbortSignal, operation: string, channel: string, message = `${operation}: the client is closed`): KubemqError {
  return KubemqError.isKubemqError(stop.reason) ? stop.reason : new KubemqError({ code: 'CLOSED', operation, channel, message });
}

/**
 * Downstream streams for `poll()`: a lane per transaction in progress, idle ones kept for the next
 * poll. A lane retires after `maxTransactionsPerStream` polls, because the broker keeps every
 * settled transaction of a stream in memory until the stream ends. The client's close() drains
 * the pool (see drain()).
 */
export class LanePool {
  private readonly idle: DownstreamLane[] = [];
  private readonly busy = new Set<DownstreamLane>();
  /** Transactions poll() handed out that still take settlements. */
  private readonly inHand = new Set<PollTransaction>();
  /** poll() calls not yet done, each with whatever its cut by close() leaves to close. */
  private readonly polling = new Set<Promise<void>>();
  /**
   * Aborted when close() begins, with the failure when the client gave up reconnecting: polls not
   * yet written go unsent (their wait for a stream ends).
   */
  private readonly stop = new AbortController();
  /**
   * What close() does to each poll, once `stop` has aborted: one whose Get may be out rejects
   * CLOSED, one waiting for the connection stops waiting (a Set, not a listener per poll on `stop`).
   */
  private readonly cuts = new Set<() => void>();

  constructor(
    private readonly internals: ClientInternals,
    private readonly counters: LaneCounters,
    private readonly maxIdle = 2,
    private readonly maxTransactionsPerStream = 1000,
  ) {}

  /**
   * `poll()`: one Get on a lane of the pool. The lane goes back to the pool when the transaction
   * takes no more requests, or earlier, once the settlement that ends it and its probe are written
   * (`releaseEarly`): a poll() made before the probe is answered then writes its Get behind it.
   */
  poll(req: ValidPoll, call: ValidCallOptions): Promise<PollTransaction> {
    const operation = 'queues.poll';
    if (this.stop.signal.aborted || !this.internals.accepting) return Promise.reject(closedError(this.stop.signal, operation, req.channel));
    if (call.signal?.aborted) return Promise.reject(abortedUnsent(operation, req.channel, 'the poll', call.signal));
    const lane = this.acquire();
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.release(lane);
    };
    const host: TransactionHost = {
      defaultTimeoutMs: this.internals.options.defaultTimeoutMs,
      telemetry: this.internals.telemetry,
      onTerminal: (tx) => {
        this.inHand.delete(tx);
        release();
      },
      // Only when the pool keeps the lane (ending it would lose the probe's answer).
      releaseEarly: () => {
        if (released || !this.keeps(lane)) return false;
        release();
        return true;
      },
    };
    return new Promise<PollTransaction>((resolve, reject) => {
      let cut = false;
      let written = false;
      // A Get already written is not cut: the broker would keep it waiting, taking and hiding
      // messages sent meanwhile, until its wait is over (§5.3). The caller is told now; the drain
      // waits for the answer and closes what it took. Not with autoAck: the broker acks what it
      // hands out, so the answer goes to the caller (within the drain time), or it is lost.
      const onClose = (): void => {
        cut = true;
        const message = written
          ? `${operation}: the client closed before the poll was answered; what the broker took for it goes back to the queue`
          : `${operation} was not sent: the client closed first`;
        reject(closedError(this.stop.signal, operation, req.channel, message));
      };
      if (!req.autoAck) this.cuts.add(onClose);
      const stopListening = (): void => void this.cuts.delete(onClose);
      const control: PoolControl = { stop: this.stop.signal, onStop: (end) => this.onStop(end), written: () => void (written = true) };
      const done = pollOnLane(lane, req, call, host, operation, control).then(
        async (tx) => {
          stopListening();
          if (!cut) {
            if (tx.state === 'open') this.inHand.add(tx);
            return resolve(tx);
          }
          await tx.close().catch(() => undefined);
        },
        (err: unknown) => {
          stopListening();
          release();
          reject(err);
        },
      );
      this.polling.add(done);
      void done.then(() => this.polling.delete(done));
    });
  }

  /**
   * close()'s drain: no poll goes out from now on; a poll whose Get is out rejects CLOSED, and its
   * answer is waited for and closed (with autoAck it is waited for and handed over); a transaction
   * poll() handed out may still be settled or closed by its holder, and a settlement already
   * written is waited for. Then every stream ends. The client's drain time bounds it: what is still
   * open then ends with its stream, and the broker returns its unsettled messages to the queue. A
   * client that gave up reconnecting has nothing to wait for.
   */
  async drain(failure?: KubemqError): Promise<void> {
    this.stop.abort(failure);
    for (const cut of [...this.cuts]) cut();
    this.cuts.clear();
    if (!failure) await Promise.allSettled([...this.polling, ...[...this.inHand].map((tx) => tx.whenTerminal())]);
    this.closeAll();
  }

  private onStop(end: () => void): () => void {
    if (this.stop.signal.aborted) {
      end();
      return () => undefined;
    }
    this.cuts.add(end);
    return () => void this.cuts.delete(end);
  }

  acquire(): DownstreamLane {
    let lane = this.idle.pop();
    while (lane && !lane.alive) lane = this.idle.pop();
    lane ??= new DownstreamLane(this.internals, 'queues.poll', this.counters);
    this.busy.add(lane);
    return lane;
  }

  /** Whether `release(lane)` would keep the lane for the next poll (rather than end its stream). */
  keeps(lane: DownstreamLane): boolean {
    return !this.stop.signal.aborted && lane.alive && this.idle.length < this.maxIdle && lane.transactionsServed < this.maxTransactionsPerStream;
  }

  release(lane: DownstreamLane): void {
    this.busy.delete(lane);
    if (!lane.alive) return;
    if (!this.keeps(lane)) {
      lane.endWhenSafe();
      return;
    }
    this.idle.push(lane);
  }

  /** Ends every stream once its settlements are proved; open transactions are lost (the broker returns their messages to the queue). */
  closeAll(): void {
    for (const lane of [...this.idle, ...this.busy]) lane.endWhenSafe();
    this.idle.length = 0;
    this.busy.clear();
  }

  get size(): { idle: number; busy: number } {
    return { idle: this.idle.length, busy: this.busy.size };
  }
}
