// A `for await` loop over transactions() or subscribe() waits in next() while its poll waits on the
// broker, where no check in its body runs: the subscription's signal ends it there, quietly. A loop
// whose body holds a transaction ends at its next step, as a `break` there would: the broker takes
// back what it left unsettled, and delivers it again.
import { jsonCodec, type KubemqClient } from '@kubemq/core';
import { sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { queueChannel, queues, type QueuesClient } from '../../src/index.js';
import { connect } from './helpers.js';

describe('queues: subscribe({ signal }) and transactions({ signal }) (integration)', () => {
  let client: KubemqClient;
  let q: QueuesClient;

  beforeAll(async () => {
    client = await connect(sharedBroker().address, 'queues-signal');
    q = queues(client);
  });
  afterAll(async () => {
    await client?.close();
  });

  it.each(['subscribe', 'transactions'] as const)("%s(): a loop whose poll waits on an empty queue ends when the signal aborts, before the wait is over; a message sent meanwhile is not lost", async (method) => {
    const channel = uniqueChannel(`q.signal.${method}`);
    const controller = new AbortController();
    const loop = (async () => {
      for await (const _ of q[method]({ channel, waitTimeoutMs: 4_000, signal: controller.signal })) throw new Error('nothing was sent');
      return 'ended';
    })();
    await new Promise((resolve) => setTimeout(resolve, 500)); // the Get waits on the broker
    const abortedAt = performance.now();
    controller.abort();
    await expect(loop).resolves.toBe('ended');
    expect(performance.now() - abortedAt).toBeLessThan(2_000);
    // The broker lets the Get left behind wait on (docs/broker-behaviour.md §5.3): what it takes
    // meanwhile goes back to the queue once its wait is over.
    await q.send({ channel, body: 'after' });
    const tx = await q.poll({ channel, maxItems: 1, waitTimeoutMs: 10_000 });
    expect(tx.messages.map((m) => m.text())).toEqual(['after']);
    await tx.ackAll();
  });

  it('transactions(): a transaction in hand when the signal aborts is not lost: left unsettled, it is delivered again', async () => {
    const channel = uniqueChannel('q.signal.inhand');
    await q.send({ channel, body: 'job' });
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const tx of q.transactions({ channel, maxItems: 1, waitTimeoutMs: 5_000, signal: controller.signal })) {
      seen.push(...tx.messages.map((m) => m.text()));
      controller.abort(); // SIGTERM while the body works; it leaves without settling
    }
    expect(seen).toEqual(['job']);
    const again = await q.poll({ channel, maxItems: 1, waitTimeoutMs: 5_000 });
    expect(again.messages.map((m) => m.text())).toEqual(['job']);
    await again.ackAll();
  });

  it('transactions(): a body that settles the transaction it holds after the abort settles it, and the loop ends', async () => {
    const channel = uniqueChannel('q.signal.settled');
    await q.sendBatch(['a', 'b'].map((body) => ({ channel, body })));
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const tx of q.transactions({ channel, maxItems: 1, waitTimeoutMs: 5_000, signal: controller.signal })) {
      seen.push(...tx.messages.map((m) => m.text()));
      controller.abort();
      await tx.ackAll();
    }
    expect(seen).toEqual(['a']);
    const rest = await q.poll({ channel, maxItems: 1, waitTimeoutMs: 2_000 });
    expect(rest.messages.map((m) => [m.text(), m.receiveCount])).toEqual([['b', 1]]);
    await rest.ackAll();
  });

  it('a typed channel\'s transactions(): a body that settles after the abort settles it (the abort does not cut the transaction in hand)', async () => {
    const channel = uniqueChannel('q.signal.typed');
    const jobs = queueChannel(client, { channel, codec: jsonCodec<{ n: number }>() });
    await jobs.send({ value: { n: 1 } });
    const controller = new AbortController();
    const seen: number[] = [];
    for await (const tx of jobs.transactions({ maxItems: 1, waitTimeoutMs: 5_000, signal: controller.signal })) {
      seen.push(...tx.messages.map((m) => (m.ok ? m.value.n : -1)));
      controller.abort();
      await new Promise((resolve) => setTimeout(resolve, 200)); // the body is still working
      await tx.ackAll();
    }
    expect(seen).toEqual([1]);
    const rest = await q.poll({ channel, maxItems: 1, waitTimeoutMs: 2_000 });
    expect(rest.messages).toHaveLength(0);
  });

  it.each(['subscribe', 'transactions'] as const)("%s({ autoAck }): an abort while the poll waits ends the loop once that poll answers, and hands over what it took (the broker acked it)", async (method) => {
    const channel = uniqueChannel(`q.signal.autoack.${method}`);
    const controller = new AbortController();
    const got: string[] = [];
    const loop = (async () => {
      for await (const item of q[method]({ channel, autoAck: true, maxItems: 10, waitTimeoutMs: 3_000, signal: controller.signal })) {
        if ('messages' in item) got.push(...item.messages.map((m) => m.text()));
        else got.push(item.text());
      }
      return 'ended';
    })();
    await new Promise((resolve) => setTimeout(resolve, 500)); // the Get waits on the broker
    controller.abort();
    // Sent while that Get still waits: it takes and acks them, so they must reach the loop.
    await q.sendBatch(['a', 'b', 'c'].map((body) => ({ channel, body })));
    await expect(loop).resolves.toBe('ended');
    const rest = await q.poll({ channel, maxItems: 10, waitTimeoutMs: 1_000 });
    expect([...got, ...rest.messages.map((m) => m.text())].sort()).toEqual(['a', 'b', 'c']);
    await rest.ackAll();
  });
});
