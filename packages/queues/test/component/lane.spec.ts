import { KubemqError } from '@kubemq/core';
import { QueuesDownstreamRequestType as T, type QueuesDownstreamRequest } from '@kubemq/core/internal';
import { DownstreamLane, newLaneCounters } from '../../src/internal/downstream/lane.js';
import { pollOnLane } from '../../src/internal/downstream/poll.js';
import { until } from '@kubemq/test-fakes';
import { FakeQueueBroker } from './fake-queue-broker.js';

describe('DownstreamLane writes', () => {
  it('keep their call order while the stream buffer is full, also for a write issued as the buffer drains', async () => {
    const broker = new FakeQueueBroker();
    const lane = new DownstreamLane(broker.internals(), 'queues.test', newLaneCounters());
    await lane.open('q');
    const call = broker.calls[0]!;
    const close = (ref: string) => lane.send({ RequestTypeData: T.CloseByClient, RefTransactionId: ref });
    call.full = true;
    close('a'); // written; the buffer is now full
    close('b');
    close('c');
    const drained = call.drained();
    // Runs after the drain resolves but before the queued writes resume: must not jump ahead of them.
    const late = drained.then(() => close('d'));
    call.drain();
    await late;
    await new Promise((r) => setTimeout(r, 5));
    expect((call.written as unknown as QueuesDownstreamRequest[]).map((r) => r.RefTransactionId)).toEqual(['a', 'b', 'c', 'd']);
    close('e'); // the backlog is empty again: straight through
    expect(call.written).toHaveLength(5);
  });

  it('a write queued behind a full buffer fails with the lane when the stream ends', async () => {
    const broker = new FakeQueueBroker();
    const lane = new DownstreamLane(broker.internals(), 'queues.test', newLaneCounters());
    await lane.open('q');
    const call = broker.calls[0]!;
    call.full = true;
    lane.send({ RequestTypeData: T.CloseByClient, RefTransactionId: 'a' });
    const answer = lane.request({ RequestTypeData: T.ActiveOffsets, RefTransactionId: 'a' });
    lane.cancel();
    await expect(answer).rejects.toMatchObject({ code: 'CANCELLED' });
    call.drain();
    await new Promise((r) => setTimeout(r, 5));
    expect(call.written).toHaveLength(1);
  });

  it('keeps nothing per settlement once its proof came back (the close after an ack included)', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 8);
    const lane = new DownstreamLane(broker.internals(), 'queues.test', newLaneCounters());
    const host = { defaultTimeoutMs: 1000, onTerminal: () => undefined };
    const poll = () =>
      pollOnLane(lane, { channel: 'q', maxItems: 2, waitTimeoutMs: 1000, autoAck: false }, { signal: undefined, timeoutMs: undefined }, host, 'queues.test');
    const whole = await poll();
    await whole.ackAll();
    const oneByOne = await poll();
    await oneByOne.messages[0]!.ack();
    await oneByOne.messages[1]!.nack();
    const closed = await poll();
    await closed.close();
    const byRange = await poll();
    await byRange.ackSequences(byRange.messages.map((m) => m.sequence));
    expect([whole, oneByOne, closed, byRange].map((tx) => tx.state)).toEqual(['settled', 'settled', 'closed', 'settled']);
    expect(lane.settlementsAwaitingProof).toBe(0);
    lane.cancel();
  });

  it('nextGetAnswered() waits for the answer of the next Get written, not of one written before it, and fails with the stream', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 1);
    const lane = new DownstreamLane(broker.internals(), 'queues.test', newLaneCounters());
    await lane.open('q');
    const get = (maxItems: number) => lane.request({ RequestTypeData: T.Get, Channel: 'q', MaxItems: maxItems, WaitTimeout: 1000 });
    const first = get(1);
    const proof = lane.nextGetAnswered();
    let proved = false;
    void proof.then(() => (proved = true));
    await first;
    await new Promise((r) => setTimeout(r, 5));
    expect(proved).toBe(false); // the Get in flight when it was asked for does not count
    const second = get(1);
    broker.add('q', 1);
    expect(await proof).toBe(await second);
    const unanswered = lane.nextGetAnswered();
    lane.cancel();
    await expect(unanswered).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(lane.nextGetAnswered()).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('DownstreamLane: never ends its stream with two answers owed (docs/broker-behaviour.md §5.3)', () => {
  const timeout = () => new KubemqError({ code: 'TIMEOUT', operation: 'queues.test', message: 'given up' });

  /** A lane that holds a transaction (its Get answered), with probes held back by the broker. */
  async function laneWithTransaction(messages = 1) {
    const broker = new FakeQueueBroker();
    broker.add('q', messages);
    const internals = broker.internals();
    const counters = newLaneCounters();
    const lane = new DownstreamLane(internals, 'queues.test', counters);
    await lane.open('q');
    const tx = await lane.request({ RequestTypeData: T.Get, Channel: 'q', MaxItems: messages, WaitTimeout: 1000 });
    broker.holdProbes = true;
    const probe = lane.ask({ RequestTypeData: T.ActiveOffsets, RefTransactionId: tx.TransactionId, Channel: 'q' });
    probe.answer.catch(() => undefined);
    return { broker, internals, counters, lane, probe };
  }
  const get = (lane: DownstreamLane, maxItems = 1) => lane.request({ RequestTypeData: T.Get, Channel: 'q', MaxItems: maxItems, WaitTimeout: 1000 });

  it('a probe given up with nothing behind it ends the stream at once (one answer owed is safe)', async () => {
    const { broker, lane, probe } = await laneWithTransaction();
    lane.abandon(probe.id, timeout());
    expect(broker.calls[0]!.cancelled).toBe(true);
    expect(broker.owedAtCancel).toEqual([1]);
    expect(lane.error).toMatchObject({ code: 'TIMEOUT' });
  });

  it('a probe given up with a Get behind it: the lane serves no more polls, and its stream ends once that Get is answered; the client\'s close() waits for that', async () => {
    const { broker, internals, lane, probe } = await laneWithTransaction();
    const behind = get(lane, 2);
    lane.abandon(probe.id, timeout());
    expect(lane.alive).toBe(false);
    expect(lane.error).toMatchObject({ code: 'TIMEOUT' });
    expect(lane.endingHere).toMatchObject({ code: 'TIMEOUT' });
    expect(broker.calls[0]!.cancelled).toBe(false);
    expect(internals.tracked.size).toBe(1);
    let drained = false;
    void [...internals.tracked][0]!.drain().then(() => (drained = true));
    broker.releaseProbes();
    await new Promise((r) => setTimeout(r, 20));
    // The probe is in; the Get, still awaited, waits for its messages.
    expect(broker.calls[0]!.cancelled).toBe(false);
    expect(drained).toBe(false);
    broker.add('q', 2, (i) => `n${i}`);
    expect((await behind).Messages).toHaveLength(2);
    expect(broker.calls[0]!.cancelled).toBe(true);
    expect(broker.owedAtCancel).toEqual([0]);
    await until(() => drained);
    expect(internals.tracked.size).toBe(0);
    // The stream's transactions went back with it: the first one (never settled here) and the Get's.
    expect(broker.waiting('q').map((w) => w.msg.Body.toString())).toEqual(['m0', 'n0', 'n1']);
  });

  it('the owner that stops wants the Get no more: the stream ends once the probe is answered, the Get\'s answer alone owed', async () => {
    const { broker, lane, probe } = await laneWithTransaction();
    const behind = get(lane);
    lane.abandon(probe.id, timeout());
    lane.endWhenSafe();
    await new Promise((r) => setTimeout(r, 20));
    expect(broker.calls[0]!.cancelled).toBe(false);
    broker.releaseProbes();
    await expect(behind).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(broker.calls[0]!.cancelled).toBe(true);
    expect(broker.owedAtCancel).toEqual([1]);
  });

  it('with the probe never answered, the stream ends when the Get behind it is past its deadline too: nothing else would end it', async () => {
    const { broker, lane, probe } = await laneWithTransaction();
    const behind = get(lane);
    behind.catch(() => undefined);
    lane.abandon(probe.id, timeout());
    lane.endWhenSafe(); // not enough: the Get is not past its deadline
    expect(broker.calls[0]!.cancelled).toBe(false);
    lane.getExpired(timeout());
    expect(broker.calls[0]!.cancelled).toBe(true);
    expect(broker.owedAtCancel).toEqual([2]);
    broker.releaseProbes();
  });
});

describe('DownstreamLane: the Get in flight', () => {
  const get = (lane: DownstreamLane) => lane.request({ RequestTypeData: T.Get, Channel: 'q', MaxItems: 1, WaitTimeout: 1000 });

  it('a Get answered as its stream breaks, in the same turn, was not lost in flight: not counted, nor warned about', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 1);
    const internals = broker.internals();
    const counters = newLaneCounters();
    const lane = new DownstreamLane(internals, 'queues.test', counters);
    await lane.open('q');
    broker.breakAfterNextGet = true;
    const answered = get(lane);
    expect(counters.getsInFlight).toBe(1);
    expect((await answered).Messages).toHaveLength(1);
    expect(lane.error).toMatchObject({ code: 'UNAVAILABLE' });
    expect(counters).toMatchObject({ getsInFlight: 0, getsInFlightAtLoss: 0 });
    expect(internals.warnings).toEqual([]);
  });

  it('a Get still waiting when its stream breaks is counted once, and warned about', async () => {
    const broker = new FakeQueueBroker();
    const internals = broker.internals();
    const counters = newLaneCounters();
    const lane = new DownstreamLane(internals, 'queues.test', counters);
    await lane.open('q');
    const waiting = get(lane);
    broker.calls[0]!.fail();
    await expect(waiting).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(counters).toMatchObject({ getsInFlight: 0, getsInFlightAtLoss: 1 });
    expect(internals.warnings).toEqual([[expect.stringContaining('while a Get waited'), expect.anything()]]);
  });
});
