// subscribe() and transactions() take a signal: aborting it ends the subscription quietly, also a
// `for await` loop waiting for a poll (which no check in its body could end). A loop whose body
// holds a transaction ends at its next step, as a `break` there would: the body may still settle
// it, and whatever is left unsettled goes back to the queue with the stream.
import { getEventListeners } from 'node:events';
import { textCodec, type KubemqClient } from '@kubemq/core';
import { attachInternals, QueuesDownstreamRequestType as T, type QueuesDownstreamRequest } from '@kubemq/core/internal';
import { until } from '@kubemq/test-fakes';
import { queueChannel, queues } from '../../src/index.js';
import { FakeQueueBroker } from './fake-queue-broker.js';

function setup(count = 0) {
  const broker = new FakeQueueBroker();
  if (count > 0) broker.add('q', count);
  const client = {};
  attachInternals(client, broker.internals());
  const types = () => (broker.written('QueuesDownstream') as QueuesDownstreamRequest[]).map((r) => r.RequestTypeData);
  return { broker, client: client as KubemqClient, q: queues(client as KubemqClient), types };
}

const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;
const open = (broker: FakeQueueBroker) => broker.calls.filter((c) => c.writable).length;

describe('queues: subscribe({ signal }) and transactions({ signal })', () => {
  it.each(['subscribe', 'transactions'] as const)('%s(): a for await loop waiting on an empty queue ends without an error when it aborts; the stream ends, the listener is removed', async (method) => {
    const { broker, q, types } = setup();
    const controller = new AbortController();
    const loop = (async () => {
      for await (const _ of q[method]({ channel: 'q', waitTimeoutMs: 60_000, signal: controller.signal })) throw new Error('nothing was sent');
      return 'ended';
    })();
    await until(() => broker.getsInFlight === 1);
    expect(listeners(controller.signal)).toBe(1);
    controller.abort();
    await expect(loop).resolves.toBe('ended');
    await until(() => open(broker) === 0);
    expect(types()).toEqual([T.Get]);
    expect(listeners(controller.signal)).toBe(0);
  });

  it('transactions(): a body that holds a transaction when it aborts still settles it, and the loop ends at its next step; no Get follows the settlement', async () => {
    const { broker, q, types } = setup(4);
    const controller = new AbortController();
    const seen: number[][] = [];
    for await (const tx of q.transactions({ channel: 'q', maxItems: 2, signal: controller.signal })) {
      seen.push(tx.messages.map((m) => m.sequence));
      controller.abort(); // SIGTERM while the body works
      await tx.ackAll();
    }
    expect(seen).toEqual([[1, 2]]);
    await until(() => open(broker) === 0);
    expect(types().filter((t) => t === T.Get)).toHaveLength(1);
    expect(broker.waiting('q').map((s) => [s.seq, s.receiveCount])).toEqual([[3, 0], [4, 0]]);
  });

  it('subscribe(): a body that holds a message when it aborts still settles it, and the loop ends at its next step, handed none of the rest of the poll; the rest goes back to the queue', async () => {
    const { broker, q, types } = setup(3);
    const controller = new AbortController();
    const seen: number[] = [];
    for await (const msg of q.subscribe({ channel: 'q', maxItems: 3, signal: controller.signal })) {
      seen.push(msg.sequence);
      controller.abort(); // SIGTERM while the body works
      await msg.ack();
    }
    expect(seen).toEqual([1]);
    await until(() => open(broker) === 0);
    expect(types().filter((t) => t === T.Get)).toHaveLength(1);
    expect(broker.waiting('q').map((s) => [s.seq, s.receiveCount])).toEqual([[2, 0], [3, 0]]);
  });

  it('transactions(): a transaction the body leaves unsettled when the loop ends goes back to the queue, as with break', async () => {
    const { broker, q } = setup(2);
    const controller = new AbortController();
    for await (const tx of q.transactions({ channel: 'q', maxItems: 2, signal: controller.signal })) {
      expect(tx.messages).toHaveLength(2);
      controller.abort();
    }
    await until(() => open(broker) === 0);
    expect(broker.waiting('q').map((s) => s.seq).sort()).toEqual([1, 2]);
  });

  it('subscribe(): a subscriber sees it complete, the stream ends and an unsettled poll goes back; already aborted, nothing is opened', async () => {
    const { broker, q } = setup(2);
    const controller = new AbortController();
    const got: string[] = [];
    const ends: string[] = [];
    q.subscribe({ channel: 'q', maxItems: 2, signal: controller.signal }).subscribe({ next: (m) => got.push(m.text()), error: () => ends.push('error'), complete: () => ends.push('complete') });
    await until(() => got.length === 2);
    controller.abort();
    expect(ends).toEqual(['complete']);
    await until(() => open(broker) === 0);
    expect(broker.waiting('q')).toHaveLength(2);

    const calls = broker.calls.length;
    q.transactions({ channel: 'q', signal: AbortSignal.abort() }).subscribe({ complete: () => ends.push('complete at once') });
    for await (const _ of q.subscribe({ channel: 'q', signal: AbortSignal.abort() })) throw new Error('nothing is read');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(ends).toEqual(['complete', 'complete at once']);
    expect(broker.calls).toHaveLength(calls);
  });

  it('an autoAck loop (paced) and the typed channel take it too', async () => {
    const { broker, client, q } = setup();
    const controller = new AbortController();
    const typed = queueChannel(client, { channel: 'q', codec: textCodec() });
    const loops = [q.subscribe({ channel: 'q', autoAck: true, signal: controller.signal }), typed.subscribe({ signal: controller.signal }), typed.transactions({ signal: controller.signal })].map(async (loop) => {
      for await (const _ of loop) throw new Error('nothing was sent');
      return 'ended';
    });
    await until(() => broker.getsInFlight === 3);
    controller.abort();
    await expect(Promise.all(loops)).resolves.toEqual(['ended', 'ended', 'ended']);
    await until(() => open(broker) === 0);
    expect(listeners(controller.signal)).toBe(0);
  });

  it('removes the abort listener when the subscription ends otherwise, and refuses a signal that is no AbortSignal', async () => {
    const { broker, q } = setup(20);
    const { signal } = new AbortController();
    for (let i = 0; i < 5; i++) {
      q.transactions({ channel: 'q', signal }).subscribe().unsubscribe();
      for await (const tx of q.transactions({ channel: 'q', maxItems: 1, signal })) {
        await tx.ackAll();
        break;
      }
    }
    await until(() => open(broker) === 0);
    expect(listeners(signal)).toBe(0);
    expect(() => q.subscribe({ channel: 'q', signal: true as never })).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'signal', operation: 'queues.subscribe' }));
    expect(() => q.transactions({ channel: 'q', signal: null as never })).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'signal', operation: 'queues.transactions' }));
  });
});
