import { QueuesDownstreamRequestType as T, type QueuesDownstreamRequest } from '@kubemq/core/internal';
import { QueueTransactionError } from '../../src/errors.js';
import { newLaneCounters } from '../../src/internal/downstream/lane.js';
import { LanePool, pollOnLane } from '../../src/internal/downstream/poll.js';
import { DEFAULT_QUEUE_LIMITS } from '../../src/internal/limits.js';
import { validateCallOptions, validatePoll } from '../../src/internal/validation.js';
import { until } from '@kubemq/test-fakes';
import { FakeQueueBroker } from './fake-queue-broker.js';

function setup(count = 3, channel = 'q') {
  const broker = new FakeQueueBroker();
  broker.add(channel, count);
  const internals = broker.internals();
  const counters = newLaneCounters();
  const pool = new LanePool(internals, counters);
  const poll = async (req: Record<string, unknown> = {}, callOptions?: { signal?: AbortSignal; timeoutMs?: number }) => {
    const valid = validatePoll({ channel, maxItems: count, waitTimeoutMs: 1000, ...req }, DEFAULT_QUEUE_LIMITS);
    const call = validateCallOptions(callOptions, 'callOptions');
    const lane = pool.acquire();
    try {
      return await pollOnLane(lane, valid, call, { defaultTimeoutMs: 500, onTerminal: () => pool.release(lane) }, 'queues.poll');
    } catch (err) {
      pool.release(lane);
      throw err;
    }
  };
  const requests = () => broker.written('QueuesDownstream') as QueuesDownstreamRequest[];
  const types = () => requests().map((r) => r.RequestTypeData);
  return { broker, pool, poll, requests, types, counters };
}

describe('poll transactions (against a broker-like fake)', () => {
  it('ackAll resolves after the probe proves it was processed; a second settle throws and sends nothing', async () => {
    const { broker, poll, types } = setup();
    const tx = await poll();
    expect(tx.messages.map((m) => m.sequence)).toEqual([1, 2, 3]);
    expect(tx.state).toBe('open');
    await tx.ackAll();
    expect(tx.state).toBe('settled');
    expect(tx.messages.every((m) => m.settlement === 'acked')).toBe(true);
    expect(broker.waiting('q')).toHaveLength(0);
    expect(types()).toEqual([T.Get, T.AckAll, T.CloseByClient, T.ActiveOffsets]);
    const before = types().length;
    await expect(tx.ackAll()).rejects.toBeInstanceOf(QueueTransactionError);
    await expect(tx.messages[0]!.nack()).rejects.toMatchObject({ reason: 'settled', sequence: 1 });
    expect(types()).toHaveLength(before);
  });

  it('a Get answered as its stream broke resolves with a lost transaction: its messages are back in the queue, settling it throws (it failed with a TypeError)', async () => {
    const { broker, poll, counters } = setup(2);
    broker.breakAfterNextGet = true;
    const tx = await poll();
    expect(tx.state).toBe('lost');
    expect(tx.messages.map((m) => m.settlement)).toEqual(['released', 'released']);
    await expect(tx.ackAll()).rejects.toMatchObject({ reason: 'lost' });
    expect(broker.waiting('q')).toHaveLength(2);
    // The Get was answered: its messages count as unsettled at the loss, not as a Get lost in flight.
    expect(counters).toMatchObject({ unsettledAtLoss: 2, getsInFlightAtLoss: 0, transactionsOpenAtLoss: 1, getsInFlight: 0 });
  });

  it('a settlement the broker applies part way, then refuses, with the close behind it: what it may have acked stays settling, never released; the transaction is closed; the rest goes back', async () => {
    const { broker, poll, types } = setup(3);
    const tx = await poll();
    broker.failPartWay = 1;
    await expect(tx.ackAll()).rejects.toMatchObject({ code: 'BROKER', message: expect.stringContaining('failed at sequence 2') });
    expect(types()).toEqual([T.Get, T.AckAll, T.CloseByClient, T.ActiveOffsets]);
    expect(tx.state).toBe('closed');
    expect(tx.messages.map((m) => m.settlement)).toEqual(['settling', 'settling', 'settling']);
    expect(broker.waiting('q').map((s) => s.seq)).toEqual([2, 3]); // the broker acked 1
  });

  it('a settlement written when the stream breaks, before its proof: it rejects as lost; its messages stay settling (the broker may have applied it), the others are released', async () => {
    const { broker, poll } = setup(3);
    const tx = await poll();
    broker.holdProbes = true;
    const acked = tx.ackSequences([1, 2]).catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 10));
    broker.calls[0]!.fail();
    expect(await acked).toBeInstanceOf(QueueTransactionError);
    expect(await acked).toMatchObject({ reason: 'lost', code: 'CLOSED', retryable: false, operation: 'queues.transaction.ackSequences', sequence: undefined });
    expect(tx.state).toBe('lost');
    expect(tx.messages.map((m) => m.settlement)).toEqual(['settling', 'settling', 'released']);
    expect(broker.waiting('q').map((s) => s.seq)).toEqual([3]); // it had: 1 and 2 are acked
    broker.releaseProbes();
  });

  it('after a Get whose wait ran out, ackAll names the messages it was given: one the transaction took in after its answer goes back to the queue', async () => {
    const { broker, poll, requests } = setup(2);
    broker.slipIntoNextGet = true;
    const tx = await poll({ maxItems: 5 });
    expect(tx.messages.map((m) => m.sequence)).toEqual([1, 2]);
    await tx.ackAll();
    expect(requests()[1]).toMatchObject({ RequestTypeData: T.AckRange, SequenceRange: [1n, 2n] });
    // The close returned message 3: the broker's AckAll would have acked it, unseen.
    const next = await poll({ maxItems: 1 });
    expect(next.messages.map((m) => m.sequence)).toEqual([3]);
    await next.ackAll();
  });

  it('after a Get that filled up (it takes nothing more), ackAll is one AckAll with no list', async () => {
    const { requests, poll } = setup(3);
    const tx = await poll({ maxItems: 3 });
    await tx.ackAll();
    expect(requests()[1]).toMatchObject({ RequestTypeData: T.AckAll, SequenceRange: [] });
  });

  it('a Get whose answer holds one message twice did not fill up: ackAll names the different messages it was given', async () => {
    const { broker, requests, poll } = setup(2);
    broker.repeatInNextGet = true;
    const tx = await poll({ maxItems: 3 });
    expect(tx.messages.map((m) => m.sequence)).toEqual([1, 1, 2]);
    await tx.ackAll();
    expect(requests()[1]).toMatchObject({ RequestTypeData: T.AckRange, SequenceRange: [1n, 2n] });
  });

  it('nackAll returns the messages with receive count + 1', async () => {
    const { poll } = setup(2);
    const tx = await poll();
    expect(tx.messages.map((m) => m.receiveCount)).toEqual([1, 1]);
    await tx.nackAll();
    const again = await poll();
    expect(again.messages.map((m) => m.receiveCount)).toEqual([2, 2]);
    expect(again.messages.map((m) => m.id)).toEqual(tx.messages.map((m) => m.id));
    await again.ackAll();
  });

  it('requeueAll moves the messages to another queue', async () => {
    const { broker, poll } = setup(2);
    const tx = await poll();
    await tx.requeueAll({ channel: 'other' });
    expect(broker.waiting('q')).toHaveLength(0);
    expect(broker.waiting('other').map((s) => s.msg.MessageID)).toEqual(tx.messages.map((m) => m.id));
    await expect(tx.requeueAll({ channel: 'x y' })).rejects.toMatchObject({ code: 'VALIDATION', field: 'channel' });
    // The channel goes inside the options object; a bare string is refused, naming the argument.
    await expect(tx.requeueAll('other' as never)).rejects.toMatchObject({ code: 'VALIDATION', field: 'options' });
  });

  it('settles message by message, closing the transaction with the last settlement', async () => {
    const { broker, poll, types } = setup(3);
    const tx = await poll();
    const [a, b, c] = tx.messages;
    await a!.ack();
    expect(tx.state).toBe('open');
    await b!.nack();
    await c!.requeue({ channel: 'elsewhere' });
    expect(tx.state).toBe('settled');
    expect(tx.messages.map((m) => m.settlement)).toEqual(['acked', 'nacked', 'requeued']);
    expect(broker.waiting('q').map((s) => s.receiveCount)).toEqual([1]);
    expect(broker.waiting('elsewhere')).toHaveLength(1);
    // CloseByClient only after the last one (it releases messages captured after the poll)
    expect(types()).toEqual([
      T.Get,
      T.AckRange, T.ActiveOffsets,
      T.NAckRange, T.ActiveOffsets,
      T.ReQueueRange, T.CloseByClient, T.ActiveOffsets,
    ]);
  });

  it('acks a list of sequences and then the rest', async () => {
    const { poll, requests } = setup(4);
    const tx = await poll();
    await tx.ackSequences([2, 4]);
    expect(requests().find((r) => r.RequestTypeData === T.AckRange)?.SequenceRange).toEqual([2n, 4n]);
    expect(tx.messages.map((m) => m.settlement)).toEqual(['pending', 'acked', 'pending', 'acked']);
    await expect(tx.ackSequences([2])).rejects.toMatchObject({ reason: 'settled', sequence: 2 });
    await expect(tx.ackSequences([9])).rejects.toMatchObject({ code: 'VALIDATION', field: 'sequences[0]' });
    await tx.nackSequences([1, 3]);
    expect(tx.state).toBe('settled');
  });

  it('settles concurrently from many messages without losing any', async () => {
    const { broker, poll } = setup(20);
    const tx = await poll();
    await Promise.all(tx.messages.map((m, i) => (i % 2 ? m.ack() : m.nack())));
    expect(tx.state).toBe('settled');
    expect(broker.waiting('q')).toHaveLength(10);
  });

  it('auto-ack: messages arrive settled, nothing to settle', async () => {
    const { broker, poll, pool } = setup(2);
    const tx = await poll({ autoAck: true });
    expect(tx.state).toBe('settled');
    expect(broker.waiting('q')).toHaveLength(0);
    await expect(tx.ackAll()).rejects.toBeInstanceOf(QueueTransactionError);
    expect(pool.size).toEqual({ idle: 1, busy: 0 });
  });

  it('close returns unsettled messages without a receive-count increment; close is idempotent', async () => {
    const { broker, poll } = setup(3);
    const tx = await poll();
    await tx.messages[0]!.ack();
    await tx.close();
    expect(tx.state).toBe('closed');
    expect(broker.waiting('q').map((s) => s.receiveCount)).toEqual([0, 0]);
    await tx.close();
    await expect(tx.ackAll()).rejects.toMatchObject({ reason: 'closed' });
    await expect(tx.messages[1]!.ack()).rejects.toMatchObject({ reason: 'closed' });
  });

  it('an empty poll holds nothing; settling it is a no-op', async () => {
    const { poll, pool } = setup(0);
    const tx = await poll({ maxItems: 1 });
    expect(tx.messages).toHaveLength(0);
    expect(tx.state).toBe('closed');
    await tx.ackAll();
    await tx.close();
    expect(pool.size.busy).toBe(0);
  });

  it('an empty poll is closed at once: an expired head message does not hide the next live one', async () => {
    const { broker, poll, types } = setup(0);
    broker.addExpired('q');
    const first = await poll({ maxItems: 1 });
    expect(first.messages).toHaveLength(0);
    // The broker kept that transaction open (the expired message took the one place); it must
    // be closed before anything else happens on the stream, or it holds the next message.
    expect(types()).toEqual([T.Get, T.CloseByClient]);
    broker.add('q', 1, () => 'live');
    const second = await poll({ maxItems: 1 });
    expect(second.messages.map((m) => m.text())).toEqual(['live']);
    await second.ackAll();
    expect(broker.openTransactions.size).toBe(0);
  });

  it('never puts a poll on a stream whose transaction is unsettled', async () => {
    const { broker, poll, counters } = setup(4);
    const first = await poll({ maxItems: 2 });
    const second = await poll({ maxItems: 2 });
    expect(broker.calls).toHaveLength(2); // the second poll got its own stream
    await first.ackAll();
    await second.ackAll();
    broker.add('q', 1);
    const third = await poll({ maxItems: 1 });
    expect(broker.calls).toHaveLength(2); // a settled stream is reused
    await third.ackAll();
    expect(counters.maxGetsInFlight).toBeLessThanOrEqual(2);
  });

  it('a lost stream fails the transaction: settlements throw "lost" without sending, messages return', async () => {
    const { broker, poll, types } = setup(2);
    const tx = await poll();
    broker.calls[0]!.fail();
    expect(tx.state).toBe('lost');
    expect(broker.waiting('q')).toHaveLength(2);
    const before = types().length;
    await expect(tx.ackAll()).rejects.toMatchObject({ reason: 'lost', code: 'CLOSED' });
    await expect(tx.messages[0]!.ack()).rejects.toMatchObject({ reason: 'lost' });
    expect(types()).toHaveLength(before);
  });

  it('a settlement the broker never confirms times out and ends the stream (messages are redelivered)', async () => {
    const { broker, poll } = setup(1);
    const tx = await poll();
    broker.swallowProbes = true;
    await expect(tx.ackAll({ timeoutMs: 50 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(tx.state).toBe('lost');
    expect(tx.messages[0]!.settlement).toBe('settling'); // unconfirmed: the broker may have applied it
    expect(broker.calls[0]!.cancelled).toBe(true);
  });

  it('refuses a range that holds a settled message, sending nothing, and settles nothing of it', async () => {
    const { poll, types } = setup(2);
    const tx = await poll();
    await tx.messages[0]!.ack();
    const before = types().length;
    await expect(tx.ackSequences([2, 1])).rejects.toMatchObject({ reason: 'settled', sequence: 1 });
    expect(types()).toHaveLength(before);
    expect(tx.messages[1]!.settlement).toBe('pending');
    await tx.messages[1]!.ack();
    expect(tx.state).toBe('settled');
  });

  it('a poll that outlives its deadline (its Get unanswered: a stalled broker) cancels its stream', async () => {
    const { broker, poll } = setup(0);
    broker.stallGets = true;
    await expect(poll({ maxItems: 5, waitTimeoutMs: 1000 }, { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'TIMEOUT', sent: true });
    expect(broker.calls[0]!.cancelled).toBe(true);
  });

  it('a poll asks the broker to wait no longer than its timeoutMs leaves, less a second; one that leaves less than the broker\'s 1 s is not sent', async () => {
    const { broker, poll, requests } = setup(0);
    const started = performance.now();
    const tx = await poll({ maxItems: 5, waitTimeoutMs: 5000, autoAck: true }, { timeoutMs: 2500 });
    expect(performance.now() - started).toBeLessThan(2500);
    expect(tx.messages).toHaveLength(0);
    const waits = () => requests().filter((r) => r.RequestTypeData === T.Get).map((r) => r.WaitTimeout);
    expect(waits()).toEqual([1500]);
    await expect(poll({ maxItems: 5, waitTimeoutMs: 5000, autoAck: true }, { timeoutMs: 1999 })).rejects.toMatchObject({
      name: 'TimeoutError',
      code: 'TIMEOUT',
      timeoutMs: 1999,
      sent: false,
      message: expect.stringContaining('queues.poll was not sent: its timeoutMs of 1999 ms leaves less than'),
    });
    expect(waits()).toEqual([1500]);
    expect(broker.calls.every((c) => !c.cancelled)).toBe(true);
    // Without a timeoutMs the deadline is the wait plus the default timeout: the wait goes as asked.
    await poll({ maxItems: 5, waitTimeoutMs: 1000 });
    expect(waits()).toEqual([1500, 1000]);
  });

  it('an aborted poll cancels its stream', async () => {
    const { broker, poll } = setup(0);
    const ac = new AbortController();
    const p = poll({ maxItems: 5 }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(broker.calls[0]!.cancelled).toBe(true);
  });

  it('with autoAck, a signal that aborts once the Get is written does not cut it: the broker acks what it takes, so the poll resolves with it', async () => {
    const { broker, poll } = setup(0);
    const ac = new AbortController();
    const p = poll({ maxItems: 2, waitTimeoutMs: 1000, autoAck: true }, { signal: ac.signal });
    await until(() => broker.getsInFlight === 1);
    ac.abort();
    broker.add('q', 1); // taken and acked by that Get
    const tx = await p;
    expect(tx.messages.map((m) => m.text())).toEqual(['m0']);
    expect(tx.state).toBe('settled');
    expect(broker.waiting('q')).toHaveLength(0);
    expect(broker.calls[0]!.cancelled).toBe(false);
  });
});
