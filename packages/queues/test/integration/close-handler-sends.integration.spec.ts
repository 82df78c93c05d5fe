// close() drains a consumer as NATS drains a subscription: what its handlers send while it waits
// for them still goes out (core's close, tested here through a pipeline consumer).
import type { KubemqError } from '@kubemq/core';
import { sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { queueConsumer, queues, queueUpstream } from '../../src/index.js';
import { bodies, connect } from './helpers.js';

describe("queues: what a consumer's handler sends while close() drains (integration)", () => {
  it('a pipeline handler (take from one queue, send to another, then ack) finishes its batch: the sends arrive, nothing is nacked or dead-lettered', async () => {
    const orders = uniqueChannel('q.drain.orders');
    const shipping = uniqueChannel('q.drain.shipping');
    const audit = uniqueChannel('q.drain.audit');
    const dead = uniqueChannel('q.drain.dead');
    const other = await connect(sharedBroker().address, 'q-drain-other');
    const client = await connect(sharedBroker().address, 'q-drain');
    try {
      const q = queues(client);
      const up = queueUpstream(client);
      const sent = await queues(other).sendBatch(bodies(3, 'o').map((body) => ({ channel: orders, body, policy: { maxReceiveCount: 1, deadLetterQueue: dead } })));
      expect(sent.failed).toBe(0);

      let started!: () => void;
      const handling = new Promise<void>((resolve) => (started = resolve));
      const outcomes: Record<string, unknown> = {};
      const consumer = queueConsumer(client, { channel: orders, maxItems: 3, concurrency: 3 }, async (msg) => {
        started();
        // close() has begun: the handler finishes its work.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await q.send({ channel: shipping, body: `shipped ${msg.text()}` });
        await up.send([{ channel: audit, body: `audit ${msg.text()}` }]);
      });
      await handling;
      const closing = client.close();
      const late = queueConsumer(client, { channel: uniqueChannel('q.drain.late') }, () => undefined);
      outcomes['new consumer'] = await late.done.then(() => 'ended', (err: KubemqError) => err.code);
      await closing;

      expect(consumer.stats).toMatchObject({ messages: 3, acked: 3, nacked: 0, handlerErrors: 0 });
      expect(outcomes).toEqual({ 'new consumer': 'CLOSED' });
      await expect(q.send({ channel: shipping, body: 'after' })).rejects.toMatchObject({ code: 'CLOSED' });
      const taken = async (channel: string) => {
        const res = await queues(other).receive({ channel, maxItems: 100, waitTimeoutSeconds: 1 });
        return res.messages.map((m) => m.text()).sort();
      };
      expect(await taken(shipping)).toEqual(['shipped o-0', 'shipped o-1', 'shipped o-2']);
      expect(await taken(audit)).toEqual(['audit o-0', 'audit o-1', 'audit o-2']);
      expect(await taken(orders)).toEqual([]);
      expect(await taken(dead)).toEqual([]);
    } finally {
      await client.close();
      await other.close();
    }
  });

  it("a handler's receive waiting its turn behind the client's earlier receive on that queue when close() begins still goes out", async () => {
    const work = uniqueChannel('q.drain.work');
    const side = uniqueChannel('q.drain.side');
    const other = await connect(sharedBroker().address, 'q-drain-other');
    const client = await connect(sharedBroker().address, 'q-drain');
    try {
      const q = queues(client);
      await queues(other).send({ channel: work, body: 'go' });
      let inLine!: () => void;
      const waiting = new Promise<void>((resolve) => (inLine = resolve));
      let received: unknown;
      const consumer = queueConsumer(client, { channel: work }, async () => {
        // The broker serves one queue's receives one at a time, so the client sends the second
        // only once the first, waiting on an empty queue, has its answer.
        const both = Promise.allSettled([1, 2].map(() => q.receive({ channel: side, maxItems: 1, waitTimeoutSeconds: 3 })));
        inLine();
        received = (await both).map((r) => (r.status === 'fulfilled' ? r.value.messages.map((m) => m.text()) : (r.reason as KubemqError).code));
      });
      await waiting;
      const closing = client.close();
      await queues(other).sendBatch([{ channel: side, body: 'a' }, { channel: side, body: 'b' }]);
      await closing;
      expect(received).toEqual([['a'], ['b']]);
      expect(consumer.stats).toMatchObject({ messages: 1, acked: 1 });
    } finally {
      await client.close();
      await other.close();
    }
  });
});
