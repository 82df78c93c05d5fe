// A `for await` loop over subscribe() or transactions() whose poll is lost with its stream before
// the loop has read all of it (a broker restart, a network drop, a settlement's own signal): the
// rest still reaches the loop (`released`), and the next poll, on a new stream, waits until the loop
// has taken it and asks for more. Polled at once, its batch would pile up behind the old one, past a
// `bufferSize` of `maxItems` (IteratorOverflowError, the loop dead), held at the broker meanwhile.
import type { KubemqClient } from '@kubemq/core';
import { attachInternals, QueuesDownstreamRequestType as T, type QueuesDownstreamRequest } from '@kubemq/core/internal';
import { until } from '@kubemq/test-fakes';
import { queues, type PolledQueueMessage, type PollResponse } from '../../src/index.js';
import { FakeQueueBroker } from './fake-queue-broker.js';

function setup(count: number) {
  const broker = new FakeQueueBroker();
  broker.add('q', count);
  const client = {};
  attachInternals(client, broker.internals());
  const gets = () => (broker.written('QueuesDownstream') as QueuesDownstreamRequest[]).filter((r) => r.RequestTypeData === T.Get).length;
  return { broker, q: queues(client as KubemqClient), gets };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The next value of a loop (it must not have ended). */
async function next<V>(it: AsyncIterator<V>): Promise<V> {
  const r = await it.next();
  if (r.done) throw new Error('the loop ended');
  return r.value;
}

describe('a for await loop whose poll is lost mid-batch', () => {
  it.each([
    ['bufferSize equal to maxItems', { maxItems: 10, bufferSize: 10 }],
    ['the default bufferSize, with maxItems 600', { maxItems: 600 }],
  ])('subscribe() (%s): the loop reads the rest, released, and the next poll waits for it; the loop goes on and gets every message', async (_, options) => {
    const { maxItems } = options;
    const { broker, q, gets } = setup(2 * maxItems);
    const it = q.subscribe({ channel: 'q', ...options })[Symbol.asyncIterator]();
    const first = await next(it);
    expect(first.sequence).toBe(1);
    // The body is busy with the first message when the stream breaks.
    broker.calls[0]!.fail();
    await sleep(100); // the fake client reconnects within 2 ms
    expect(broker.calls).toHaveLength(1);
    expect(gets()).toBe(1);
    const rest: PolledQueueMessage[] = [];
    for (let i = 1; i < maxItems; i++) rest.push(await next(it));
    expect(rest.map((m) => m.settlement)).toEqual(Array(maxItems - 1).fill('released'));
    expect(rest.map((m) => m.sequence)).toEqual(Array.from({ length: maxItems - 1 }, (_, i) => i + 2));
    // Still nothing polled: the loop has taken the rest but not asked for more yet.
    await sleep(50);
    expect(gets()).toBe(1);
    // It asks: the loop polls again, on a new stream, and gets every message, the lost ones again.
    const acked = new Set<number>();
    while (acked.size < 2 * maxItems) {
      const m = await next(it);
      expect(m.settlement).toBe('pending');
      await m.ack();
      acked.add(m.sequence);
    }
    expect(broker.calls.length).toBeGreaterThanOrEqual(2);
    expect(broker.waiting('q')).toHaveLength(0);
    await it.return?.();
  }, 30_000);

  it('transactions() with a bufferSize of 1: a transaction delivered and lost before the loop took it still reaches it, and the next poll waits for it', async () => {
    const { broker, q, gets } = setup(6);
    const it = q.transactions({ channel: 'q', maxItems: 2, bufferSize: 1 })[Symbol.asyncIterator]();
    const first = await next(it);
    await first.ackAll(); // the next Get, written behind it, brings the next transaction
    await until(() => gets() === 2);
    await sleep(50);
    // Delivered while the body still works on the first, and lost before the loop took it.
    broker.calls[0]!.fail();
    await sleep(100);
    expect(broker.calls).toHaveLength(1);
    const lost = await next(it);
    expect(lost.state).toBe('lost');
    expect(lost.messages.map((m) => [m.sequence, m.settlement])).toEqual([
      [3, 'released'],
      [4, 'released'],
    ]);
    const got: number[] = [];
    while (got.length < 4) {
      const tx: PollResponse = await next(it);
      await tx.ackAll();
      got.push(...tx.messages.map((m) => m.sequence));
    }
    expect(got.sort((a, b) => a - b)).toEqual([3, 4, 5, 6]);
    expect(broker.calls).toHaveLength(2);
    await it.return?.();
  });

  it("subscribe(): a settlement whose own signal aborts ends its stream; the loop goes on, on a fresh one, once it has read the rest of the poll", async () => {
    const { broker, q, gets } = setup(3);
    const it = q.subscribe({ channel: 'q', maxItems: 3, bufferSize: 3 })[Symbol.asyncIterator]();
    const first = await next(it);
    broker.holdProbes = true;
    const ac = new AbortController();
    const acked = first.ack({ signal: ac.signal }).catch((err: unknown) => err);
    await until(() => (broker.written('QueuesDownstream') as QueuesDownstreamRequest[]).some((r) => r.RequestTypeData === T.ActiveOffsets));
    ac.abort();
    expect(await acked).toMatchObject({ code: 'CANCELLED' });
    broker.releaseProbes();
    await until(() => broker.calls[0]!.cancelled);
    await sleep(100);
    expect(broker.calls).toHaveLength(1);
    expect(gets()).toBe(1);
    const rest = [await next(it), await next(it)];
    expect(rest.map((m) => m.settlement)).toEqual(['released', 'released']);
    // The ack, proved before the stream ended, stands; the other two come back on a new stream.
    const again = [await next(it), await next(it)];
    expect(again.map((m) => m.sequence)).toEqual([2, 3]);
    expect(broker.calls).toHaveLength(2);
    for (const m of again) await m.ack();
    await it.return?.();
  });
});
