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
});
