import type { KubemqError } from '@kubemq/core';
import { brokerError, deadline, isEmptyQueueError, QueuesDownstreamRequestType, tracedAfter, type ClientInternals } from '@kubemq/core/internal';
import { queueReceiveOperation } from '../telemetry.js';
import type { ValidCallOptions, ValidPoll } from '../validation.js';
import { DownstreamLane, type LaneCounters } from './lane.js';
import { abortedUnsent, PollTransaction, type TransactionHost } from './transaction.js';

/**
 * One Get on a lane that carries no open transaction (or whose transaction has written its ending
 * settlement and its proof ahead of it). The deadline is the broker's wait plus the call timeout;
 * when it passes (or the signal aborts) the poll fails at once and the lane ends, which makes the
 * broker return whatever that Get had taken (downstream streams are safe to cancel,
 * docs/broker-behaviour.md §5.3), but only once a settlement written ahead of the Get has its
 * proof: that one belongs to another transaction. A signal already aborted before the Get is
 * written sends nothing.
 * On an error answer the lane is free again at once; otherwise it is free when the transaction
 * takes no more requests (`host.onTerminal`).
 */
export function pollOnLane(
  lane: DownstreamLane,
  req: ValidPoll,
  call: ValidCallOptions,
  host: TransactionHost,
  operation: string,
): Promise<PollTransaction> {
  return tracedAfter(
    host.telemetry,
    () => getOnLane(lane, req, call, host, operation),
    (tx) => queueReceiveOperation('poll', req.channel, tx?.messages),
  );
}

async function getOnLane(
  lane: DownstreamLane,
  req: ValidPoll,
  call: ValidCallOptions,
  host: TransactionHost,
  operation: string,
): Promise<PollTransaction> {
  const unsent = (): KubemqError | undefined => (call.signal?.aborted ? abortedUnsent(operation, req.channel, 'the poll', call.signal) : undefined);
  let refused = unsent();
  if (refused) throw refused;
  if (!lane.opened) await lane.open(call.signal);
  refused = unsent();
  if (refused) throw refused;
  lane.transactionsServed++;
  const answer = await deadline(
    lane.request({
      RequestTypeData: QueuesDownstreamRequestType.Get,
      Channel: req.channel,
      MaxItems: req.maxItems,
      WaitTimeout: req.waitTimeoutMs,
      AutoAck: req.autoAck,
    }),
    {
      operation,
      channel: req.channel,
      timeoutMs: call.timeoutMs ?? req.waitTimeoutMs + host.defaultTimeoutMs,
      signal: call.signal,
      what: 'the poll',
      onExpire: (err) => lane.endWhenProved(err),
    },
  );
  if (answer.IsError && !isEmptyQueueError(answer.Error)) {
    throw brokerError(answer.Error, { operation, channel: req.channel });
  }
  const messages = answer.IsError ? [] : answer.Messages;
  if (messages.length === 0 && !answer.IsError && !answer.TransactionComplete) closeEmpty(lane, answer.TransactionId, req.channel);
  return new PollTransaction(lane, host, answer, req.channel, messages, req.autoAck, messages.length >= req.maxItems);
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
 * Downstream streams for `poll()`: a lane per transaction in progress, idle ones kept for the next
 * poll. A lane retires after `maxTransactionsPerStream` polls, because the broker keeps every
 * settled transaction of a stream in memory until the stream ends.
 */
export class LanePool {
  private readonly idle: DownstreamLane[] = [];
  private readonly busy = new Set<DownstreamLane>();

  constructor(
    private readonly internals: ClientInternals,
    private readonly counters: LaneCounters,
    private readonly maxIdle = 2,
    private readonly maxTransactionsPerStream = 1000,
  ) {}

  acquire(): DownstreamLane {
    let lane = this.idle.pop();
    while (lane && !lane.alive) lane = this.idle.pop();
    lane ??= new DownstreamLane(this.internals, 'queues.poll', this.counters);
    this.busy.add(lane);
    return lane;
  }

  /** Whether `release(lane)` would keep the lane for the next poll (rather than end its stream). */
  keeps(lane: DownstreamLane): boolean {
    return lane.alive && this.idle.length < this.maxIdle && lane.transactionsServed < this.maxTransactionsPerStream;
  }

  release(lane: DownstreamLane): void {
    this.busy.delete(lane);
    if (!lane.alive) return;
    if (!this.keeps(lane)) {
      lane.endWhenProved();
      return;
    }
    this.idle.push(lane);
  }

  /** Ends every stream once its settlements are proved; open transactions are lost (the broker returns their messages to the queue). */
  closeAll(): void {
    for (const lane of [...this.idle, ...this.busy]) lane.endWhenProved();
    this.idle.length = 0;
    this.busy.clear();
  }

  get size(): { idle: number; busy: number } {
    return { idle: this.idle.length, busy: this.busy.size };
  }
}
