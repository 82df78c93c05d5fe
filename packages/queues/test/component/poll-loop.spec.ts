// The poll loops (transactions(), subscribe(), consume()) write the next Get right behind the
// settlement that ends the transaction in hand and its proof, instead of after the proof's answer.
import type { KubemqClient } from '@kubemq/core';
import { QueuesDownstreamRequestType as T, type QueuesDownstreamRequest } from '@kubemq/core/internal';
import type { Subscription } from 'rxjs';
import { queueConsumer, queues, type PolledQueueMessage, type PollResponse } from '../../src/index.js';
import { FakeQueueBroker } from './fake-queue-broker.js';

function fakeClient(broker: FakeQueueBroker): KubemqClient {
  const client = {};
  Object.defineProperty(client, Symbol.for('@kubemq/core/internals'), { value: broker.internals() });
  return client as KubemqClient;
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

const types = (broker: FakeQueueBroker, call = 0) => (broker.calls[call]!.written as unknown as QueuesDownstreamRequest[]).map((r) => r.RequestTypeData);
const open = (broker: FakeQueueBroker) => broker.calls.filter((c) => !c.cancelled);

let subscriptions: Subscription[] = [];
afterEach(() => {
  for (const s of subscriptions) s.unsubscribe();
  subscriptions = [];
});

function transactions(broker: FakeQueueBroker, maxItems: number): PollResponse[] {
  const got: PollResponse[] = [];
  subscriptions.push(queues(fakeClient(broker)).transactions({ channel: 'q', maxItems, waitTimeoutMs: 1000 }).subscribe((tx) => got.push(tx)));
  return got;
}

describe('poll loops: the next Get behind the ending settlement', () => {
  it('writes settle, close, ActiveOffsets and the next Get before the proof is answered, and delivers the next transaction only once the previous one is terminal', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 4);
    const got = transactions(broker, 2);
    await until(() => got.length === 1);
    broker.holdProbes = true;
    const settled = got[0]!.ackAll();
    await until(() => types(broker).length === 5);
    // On the wire before any answer: the proof, then the Get behind it.
    expect(types(broker)).toEqual([T.Get, T.AckAll, T.CloseByClient, T.ActiveOffsets, T.Get]);
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toHaveLength(1); // the broker serves the Get only after the held proof
    expect(got[0]!.state).toBe('open');
    broker.releaseProbes();
    await settled;
    expect(got[0]!.state).toBe('settled');
    await until(() => got.length === 2);
    expect(got[1]!.messages.map((m) => m.text())).toEqual(['m2', 'm3']);
    // The proof's answer came before the Get's, and the Get was written before either.
    expect(broker.log.slice(0, 7)).toEqual(['0> Get', '0< Get', '0> AckAll', '0> CloseByClient', '0> ActiveOffsets', '0> Get', '0< ActiveOffsets (error)']);
    expect(broker.log[7]).toBe('0< Get');
    await got[1]!.ackAll();
    expect(broker.calls).toHaveLength(1);
    expect(broker.waiting('q')).toHaveLength(0);
  });

  it('subscribe(): the last message settled writes the next Get behind its proof; earlier ones do not', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 4);
    const got: PolledQueueMessage[] = [];
    subscriptions.push(queues(fakeClient(broker)).subscribe({ channel: 'q', maxItems: 2, waitTimeoutMs: 1000 }).subscribe((m) => got.push(m)));
    await until(() => got.length === 2);
    await got[0]!.ack();
    expect(types(broker)).toEqual([T.Get, T.AckRange, T.ActiveOffsets]);
    broker.holdProbes = true;
    const last = got[1]!.ack();
    await until(() => types(broker).length === 7);
    expect(types(broker).slice(3)).toEqual([T.AckRange, T.CloseByClient, T.ActiveOffsets, T.Get]);
    broker.releaseProbes();
    await last;
    await until(() => got.length === 4);
    expect(got.slice(2).map((m) => m.text())).toEqual(['m2', 'm3']);
  });

  it('a transaction the broker keeps open after its ending settlement ends the stream: the settlement fails, nothing is lost, the loop re-opens', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 3);
    const got = transactions(broker, 3);
    await until(() => got.length === 1);
    broker.refuseSettlements = 'cannot ack (refused by the test)';
    const failed = await got[0]!.ackAll().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failed).toMatchObject({ message: expect.stringContaining('cannot ack (refused by the test)') });
    expect(types(broker)).toEqual([T.Get, T.AckAll, T.CloseByClient, T.ActiveOffsets, T.Get]);
    // Never two open transactions on one stream: it was ended, and the broker took the messages back.
    expect(broker.calls[0]!.cancelled).toBe(true);
    expect(got[0]!.state).toBe('lost');
    expect(got[0]!.messages.map((m) => m.settlement)).toEqual(['released', 'released', 'released']);
    broker.refuseSettlements = undefined;
    await until(() => got.length === 2);
    expect(broker.calls).toHaveLength(2);
    expect(got[1]!.messages.map((m) => m.text())).toEqual(['m0', 'm1', 'm2']);
    await got[1]!.ackAll();
    expect(broker.waiting('q')).toHaveLength(0);
  });

  it('the last message settled one by one, refused: the ones settled before stay settled, the refused one goes back', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const got = transactions(broker, 2);
    await until(() => got.length === 1);
    const tx = got[0]!;
    await tx.messages[0]!.ack();
    // The settlement of the last message ends the transaction; the broker refuses it and keeps it open.
    broker.refuseSettlements = 'invalid ack sequence id 2';
    await expect(tx.messages[1]!.ack()).rejects.toMatchObject({ message: expect.stringContaining('invalid ack sequence id 2') });
    expect(tx.messages.map((m) => m.settlement)).toEqual(['acked', 'released']);
    expect(broker.calls[0]!.cancelled).toBe(true);
    broker.refuseSettlements = undefined;
    await until(() => got.length === 2);
    expect(got[1]!.messages.map((m) => m.text())).toEqual(['m1']);
    await got[1]!.ackAll();
  });

  it('unsubscribing while the Get behind the proof is pending ends the stream: that Get takes nothing, nothing more is delivered', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const got = transactions(broker, 2);
    await until(() => got.length === 1);
    await got[0]!.ackAll();
    await until(() => broker.getsInFlight === 1); // the Get behind the proof, waiting for messages
    expect(types(broker)).toEqual([T.Get, T.AckAll, T.CloseByClient, T.ActiveOffsets, T.Get]);
    broker.add('q', 1); // not enough for the Get (maxItems 2): it keeps waiting
    subscriptions.pop()!.unsubscribe();
    expect(broker.calls[0]!.cancelled).toBe(true);
    await until(() => broker.getsInFlight === 0);
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toHaveLength(1);
    expect(broker.waiting('q').map((s) => s.msg.Body.toString())).toEqual(['m0']);
  });

  it('unsubscribing while the proof is unanswered and the Get waits behind it: the settlement fails as lost, nothing more is delivered', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 4);
    const got = transactions(broker, 2);
    await until(() => got.length === 1);
    broker.holdProbes = true;
    const settled = got[0]!.ackAll().then(
      () => undefined,
      (err: unknown) => err,
    );
    await until(() => types(broker).length === 5);
    subscriptions.pop()!.unsubscribe();
    expect(broker.calls[0]!.cancelled).toBe(true);
    // The stream was closed before the broker confirmed: the settlement cannot count as done.
    expect(await settled).toMatchObject({ code: 'CANCELLED' });
    expect(got[0]!.state).toBe('lost');
    broker.releaseProbes();
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toHaveLength(1);
    expect(broker.getsInFlight).toBe(0);
    expect(broker.waiting('q').map((s) => s.msg.Body.toString())).toEqual(['m2', 'm3']); // the Get behind the proof was never served
  });

  it('consume(): stop() during a batch writes no Get behind its settlement; the rest stays in the queue, nothing more is delivered', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 4);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: string[] = [];
    const consumer = queueConsumer(fakeClient(broker), { channel: 'q', maxItems: 2, concurrency: 2 }, async (m) => {
      seen.push(m.text());
      await gate;
    });
    await until(() => seen.length === 2);
    const stopping = consumer.stop();
    release();
    await stopping;
    expect(broker.log.filter((l) => l === '0< Get')).toHaveLength(1); // no Get went out after stop()
    await expect(consumer.done).resolves.toBeUndefined();
    // The batch in hand was settled, and nothing was written behind its proof.
    expect(types(broker)).toEqual([T.Get, T.AckAll, T.CloseByClient, T.ActiveOffsets]);
    expect(consumer.stats).toMatchObject({ batches: 1, acked: 2, streamsOpen: 0, maxPollsInFlight: 1 });
    expect(open(broker)).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['m0', 'm1']);
    expect(broker.waiting('q').map((s) => [s.msg.Body.toString(), s.receiveCount])).toEqual([
      ['m2', 0],
      ['m3', 0],
    ]);
  });

  it('a stream due for replacement gets no Get behind the proof: the next Get goes on a new stream once the transaction is terminal', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const { pollTransactions } = await import('../../src/internal/consumer/subscribe.js');
    const { newLaneCounters } = await import('../../src/internal/downstream/lane.js');
    const got: PollResponse[] = [];
    subscriptions.push(
      pollTransactions(broker.internals(), {
        request: { channel: 'q', maxItems: 1, waitTimeoutMs: 1000, autoAck: false },
        operation: 'queues.transactions',
        defaultTimeoutMs: 1000,
        counters: newLaneCounters(),
        maxTransactionsPerStream: 1,
      }).subscribe((tx) => got.push(tx)),
    );
    await until(() => got.length === 1);
    await got[0]!.ackAll();
    await until(() => got.length === 2);
    expect(types(broker, 0)).toEqual([T.Get, T.AckAll, T.CloseByClient, T.ActiveOffsets]);
    expect(broker.calls[0]!.cancelled).toBe(true);
    expect(types(broker, 1)[0]).toBe(T.Get);
    await got[1]!.ackAll();
  });
});
