import { KubemqClient, type LogFields } from '@kubemq/core';
import { queueConsumer, queues, type QueueConsumer, type QueuesClient } from '../../src/index.js';
import { eventually, sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { bodies, connect } from './helpers.js';

interface Delivery {
  consumer: number;
  sequence: number;
  receiveCount: number;
  transactionId: string;
  /** ms since the consumers started */
  at: number;
}

describe('queue consumers', () => {
  let client: KubemqClient;
  let q: QueuesClient;

  beforeAll(async () => {
    client = await connect(sharedBroker().address, 'queues-consumer');
    q = queues(client);
  });

  afterAll(async () => {
    await client.close();
  });

  it('10,000 messages through 4 concurrent consumers: each processed exactly once', async () => {
    const channel = uniqueChannel('q.consume.10k');
    const all = bodies(10_000);
    for (let i = 0; i < all.length; i += 1000) {
      const res = await q.sendBatch(all.slice(i, i + 1000).map((body) => ({ channel, body })));
      expect(res.failed).toBe(0);
    }
    // Every delivery to a handler, so a failure can say which messages repeated and how.
    const deliveries = new Map<string, Delivery[]>();
    const started = performance.now();
    const consumers: QueueConsumer[] = Array.from({ length: 4 }, (_, consumer) =>
      queueConsumer(q, { channel, maxItems: 100, concurrency: 4, waitTimeoutMs: 1000 }, (msg) => {
        const body = msg.text();
        const seen = deliveries.get(body) ?? [];
        seen.push({ consumer, sequence: msg.sequence, receiveCount: msg.receiveCount, transactionId: msg.transactionId, at: performance.now() - started });
        deliveries.set(body, seen);
      }),
    );
    try {
      await eventually(() => expect(deliveries.size).toBe(10_000), { timeoutMs: 90_000, intervalMs: 200 });
      await Promise.all(consumers.map((c) => c.stop()));
      const elapsed = performance.now() - started;
      const stats = consumers.map((c) => c.stats);
      const repeated = [...deliveries].filter(([, d]) => d.length > 1);
      // The whole picture first, so a failed run explains itself.
      const report = {
        handled: deliveries.size,
        repeated: repeated.length,
        examples: repeated.slice(0, 10).map(([body, d]) => ({ body, deliveries: d })),
        stats,
      };
      if (repeated.length > 0 || stats.some((st) => st.settleErrors + st.nacked + st.handlerErrors > 0 || st.redeliveriesSkipped > 0)) {
        console.log(`10k consumers: ${JSON.stringify(report, null, 1)}`);
      }
      expect({ repeated: report.repeated, examples: report.examples }).toEqual({ repeated: 0, examples: [] });
      // Every message acked at least once: a redelivery of one already handled (its ack did not
      // reach the broker, or the broker delivered it again anyway) is acked again, unhandled.
      expect(stats.reduce((n, st) => n + st.acked - st.redeliveriesSkipped, 0)).toBeLessThanOrEqual(10_000);
      expect(stats.reduce((n, st) => n + st.acked, 0)).toBeGreaterThanOrEqual(10_000);
      expect(stats.reduce((n, st) => n + st.nacked + st.handlerErrors, 0)).toBe(0);
      for (const st of stats) {
        // never more than one Get in flight per consumer lane, and no pile-up of polls: every poll
        // beyond one per batch is an empty one, which the broker holds for the whole wait
        expect(st.maxPollsInFlight).toBeLessThanOrEqual(1);
        expect(st.polls - st.batches).toBeLessThanOrEqual(Math.ceil(elapsed / 1000) + 2);
        expect(st.streamsOpen).toBe(0);
      }
      expect(await q.purge({ channel, waitTimeoutSeconds: 1 })).toBe(0);
    } finally {
      await Promise.all(consumers.map((c) => c.stop()));
    }
  }, 150_000);

  it('a throwing handler nacks its message; receive count and dead-letter policy apply', async () => {
    const channel = uniqueChannel('q.consume.fail');
    const dlq = uniqueChannel('q.consume.dlq');
    await q.send({ channel, body: 'poison', policy: { maxReceiveCount: 3, deadLetterQueue: dlq } });
    await q.send({ channel, body: 'fine' });
    const attempts: number[] = [];
    const ok: string[] = [];
    const errors: unknown[] = [];
    const consumer = queueConsumer(q, { channel, maxItems: 2, waitTimeoutMs: 1000, onError: (error) => errors.push(error) }, (msg) => {
      if (msg.text() === 'poison') {
        attempts.push(msg.receiveCount);
        throw new Error('cannot handle');
      }
      ok.push(msg.text());
    });
    try {
      await eventually(() => expect(attempts).toEqual([1, 2, 3]), { timeoutMs: 30_000, intervalMs: 100 });
      expect(ok).toEqual(['fine']);
      const dead = await q.poll({ channel: dlq, maxItems: 1, waitTimeoutMs: 5000 });
      expect(dead.messages.map((m) => [m.text(), m.reRouted, m.reRoutedFromQueue])).toEqual([['poison', true, channel]]);
      await dead.ackAll();
    } finally {
      await consumer.stop();
    }
    expect(consumer.stats.handlerErrors).toBe(3);
    expect(errors).toHaveLength(3);
  }, 60_000);

  it('a handler may settle its own message: the batch settles only the rest, and a nack-then-throw nacks once', async () => {
    const channel = uniqueChannel('q.consume.self');
    await q.sendBatch(['a', 'b', 'c', 'd'].map((body) => ({ channel, body })));
    const seen: Array<[string, number]> = [];
    const errors: unknown[] = [];
    const consumer = queueConsumer(q, { channel, maxItems: 4, waitTimeoutMs: 1000, onError: (error) => errors.push(error) }, async (msg) => {
      seen.push([msg.text(), msg.receiveCount]);
      if (msg.text() === 'b' && msg.receiveCount === 1) {
        await msg.nack(); // settled by the handler, which then fails: nacked once, not twice
        throw new Error('b failed');
      }
      if (msg.text() === 'c') await msg.ack(); // settled by the handler, which returns
    });
    try {
      await eventually(() => expect(seen.map(([body]) => body).sort()).toEqual(['a', 'b', 'b', 'c', 'd']), { timeoutMs: 20_000, intervalMs: 100 });
      await new Promise((resolve) => setTimeout(resolve, 1500)); // a second nack, or a released batch, would bring more
    } finally {
      await consumer.stop();
    }
    expect(seen.filter(([body]) => body === 'b')).toEqual([['b', 1], ['b', 2]]);
    expect(seen).toHaveLength(5);
    // Counted where they ended: a, c, d and the second b acked; the first b nacked (by its handler).
    expect(consumer.stats).toMatchObject({ settleErrors: 0, handlerErrors: 1, acked: 4, nacked: 1 });
    expect(errors).toHaveLength(1);
    expect(await q.purge({ channel, waitTimeoutSeconds: 1 })).toBe(0);
  }, 40_000);

  it('subscribe: messages one by one, each settled on its own, nothing twice', async () => {
    const channel = uniqueChannel('q.subscribe.msgs');
    await q.sendBatch(bodies(7).map((body) => ({ channel, body })));
    const got: string[] = [];
    for await (const msg of q.subscribe({ channel, maxItems: 3, waitTimeoutMs: 1000 })) {
      got.push(msg.text());
      if (msg.text() === bodies(7)[4] && msg.receiveCount === 1) await msg.nack(); // comes back, receive count 2
      else await msg.ack();
      expect(msg.settlement === 'acked' || msg.settlement === 'nacked').toBe(true);
      if (got.length >= 8) break;
    }
    expect(got.slice(0, 7)).toEqual(bodies(7));
    expect(got[7]).toBe(bodies(7)[4]);
    expect(await q.purge({ channel, waitTimeoutSeconds: 1 })).toBe(0);
  }, 30_000);

  it('transactions: one at a time; the next poll waits for the settlement', async () => {
    const channel = uniqueChannel('q.subscribe');
    await q.sendBatch(bodies(6).map((body) => ({ channel, body })));
    const got: string[] = [];
    let batches = 0;
    for await (const tx of q.transactions({ channel, maxItems: 3, waitTimeoutMs: 1000 })) {
      batches++;
      got.push(...tx.messages.map((m) => m.text()));
      await tx.ackAll();
      if (got.length >= 6) break;
    }
    expect(batches).toBe(2);
    expect(got).toEqual(bodies(6));
    expect(await q.purge({ channel, waitTimeoutSeconds: 1 })).toBe(0);
  }, 30_000);

  it('transactions: a settlement whose own signal aborts fails alone; the loop goes on and delivers what is sent next', async () => {
    const channel = uniqueChannel('q.subscribe.abort');
    await q.send({ channel, body: 'first' });
    const got: string[] = [];
    let aborted: unknown;
    for await (const tx of q.transactions({ channel, maxItems: 1, waitTimeoutMs: 1000 })) {
      got.push(...tx.messages.map((m) => m.text()));
      if (got.length === 1) {
        // Written, then abandoned before the broker can answer its proof: the settlement rejects,
        // the broker may or may not have applied it, and its stream is ended.
        const ac = new AbortController();
        const settling = tx.ackAll({ signal: ac.signal });
        ac.abort();
        aborted = await settling.catch((err: unknown) => err);
        await q.send({ channel, body: 'second' });
        continue;
      }
      await tx.ackAll();
      if (got.includes('second')) break;
    }
    expect(aborted).toMatchObject({ code: 'CANCELLED' });
    // 'first' again only if the broker had not applied the abandoned ack.
    expect(got.filter((b) => b !== 'first')).toEqual(['second']);
  }, 30_000);

  it('unsubscribing with a transaction in hand returns its messages to the queue', async () => {
    const channel = uniqueChannel('q.subscribe.leave');
    await q.sendBatch(bodies(2).map((body) => ({ channel, body })));
    for await (const tx of q.transactions({ channel, maxItems: 2, waitTimeoutMs: 1000 })) {
      expect(tx.messages).toHaveLength(2);
      break; // unsettled
    }
    await eventually(async () => expect((await q.peek({ channel, maxItems: 2, waitTimeoutSeconds: 1 })).messages).toHaveLength(2), {
      timeoutMs: 10_000,
      intervalMs: 100,
    });
  }, 30_000);

  it('closing a client ends its subscribe() loop: messages sent afterwards stay in the queue for others', async () => {
    const channel = uniqueChannel('q.subscribe.closed');
    const closing = await connect(sharedBroker().address, 'queues-closing');
    const got: string[] = [];
    const acks: Promise<void>[] = [];
    let completed = false;
    queues(closing)
      .subscribe({ channel, maxItems: 1, waitTimeoutMs: 1000 })
      .subscribe({
        next: (msg) => {
          got.push(msg.text());
          acks.push(msg.ack());
        },
        complete: () => (completed = true),
      });
    try {
      await q.send({ channel, body: 'before' });
      await eventually(() => expect(got).toEqual(['before']), { timeoutMs: 10_000 });
      await Promise.all(acks);
      await closing.close();
      expect(completed).toBe(true);
      await q.send({ channel, body: 'after' });
      // A poll loop left running would capture it: held for a client that is gone, seen by nobody.
      const { messages } = await q.receive({ channel, maxItems: 1, waitTimeoutSeconds: 5 });
      expect(messages.map((m) => m.text())).toEqual(['after']);
      expect(got).toEqual(['before']);
    } finally {
      await closing.close();
    }
  }, 30_000);

  it("without onError, a handler's error is a warning through the client's logger", async () => {
    const warnings: { message: string; fields: LogFields | undefined }[] = [];
    const noop = (): void => undefined;
    const logged = await KubemqClient.connect({
      address: sharedBroker().address,
      clientId: uniqueClientId('queues-consume-log'),
      logger: { debug: noop, info: noop, warn: (message, fields) => void warnings.push({ message, fields }), error: noop },
      logLevel: 'warn',
    });
    const channel = uniqueChannel('q.consume.log');
    try {
      await q.send({ channel, body: 'fails once' });
      let failed = false;
      const consumer = queueConsumer(logged, { channel, waitTimeoutMs: 1000 }, () => {
        if (failed) return;
        failed = true;
        throw new Error('first attempt fails');
      });
      try {
        await eventually(() => expect(consumer.stats.acked).toBe(1), { timeoutMs: 15_000, intervalMs: 50 });
      } finally {
        await consumer.stop();
      }
      expect(consumer.stats.handlerErrors).toBe(1);
      const handlerWarnings = warnings.filter((w) => w.fields?.['channel'] === channel);
      expect(handlerWarnings).toEqual([{ message: expect.stringContaining('handler threw') as string, fields: expect.objectContaining({ error: 'first attempt fails' }) as LogFields }]);
    } finally {
      await logged.close();
    }
  }, 30_000);

  it('aborting its signal stops a consumer: done resolves, the batch in hand is settled, nothing more is handled', async () => {
    const channel = uniqueChannel('q.consume.signal');
    await q.sendBatch(bodies(3).map((body) => ({ channel, body })));
    const ac = new AbortController();
    const handled: string[] = [];
    const consumer = queueConsumer(q, { channel, maxItems: 1, waitTimeoutMs: 1000, signal: ac.signal }, (msg) => {
      handled.push(msg.text());
      if (handled.length === 1) ac.abort();
    });
    await expect(consumer.done).resolves.toBeUndefined();
    expect(handled).toEqual([bodies(3)[0]]);
    expect(consumer.stats.acked).toBe(1);
    await consumer.stop(); // idempotent
    expect((await q.peek({ channel, maxItems: 3, waitTimeoutSeconds: 1 })).messages.map((m) => m.text())).toEqual(bodies(3).slice(1));
  }, 30_000);

  it('await using stops a consumer at the end of its scope', async () => {
    const channel = uniqueChannel('q.consume.using');
    await q.send({ channel, body: 'one' });
    const handled: string[] = [];
    let scoped: QueueConsumer | undefined;
    {
      await using consumer = queueConsumer(q, { channel, waitTimeoutMs: 1000 }, (msg) => void handled.push(msg.text()));
      scoped = consumer;
      await eventually(() => expect(consumer.stats.acked).toBe(1), { timeoutMs: 10_000, intervalMs: 50 });
    }
    await expect(scoped.done).resolves.toBeUndefined();
    await eventually(() => expect(scoped?.stats.streamsOpen).toBe(0), { timeoutMs: 5000, intervalMs: 20 });
    await q.send({ channel, body: 'nobody left' });
    expect((await q.peek({ channel, maxItems: 1, waitTimeoutSeconds: 1 })).messages.map((m) => m.text())).toEqual(['nobody left']);
    expect(handled).toEqual(['one']);
  }, 30_000);
});
