import type { KubemqClient } from '@kubemq/core';
import { queues, type QueueConsumer } from '../../src/index.js';
import { startKubemq, type KubemqBroker } from '@kubemq/testing';
import { eventually, expectedCapabilities, itWhen, uniqueChannel } from '@kubemq/testing/jest';
import { bodies, connect } from './helpers.js';

// A broker of its own: killed with SIGKILL and restarted mid-run. Queue consumers are
// at-least-once, so duplicates are allowed (and reported); a lost message is a failure.
describe('queue consumer across a broker kill -9 (own broker)', () => {
  let broker: KubemqBroker | undefined;
  let client: KubemqClient | undefined;

  beforeAll(async () => {
    if (!expectedCapabilities().kill) return;
    broker = await startKubemq();
    client = await connect(broker.address, 'queues-kill');
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await broker?.[Symbol.asyncDispose]();
  });

  itWhen('kill', expectedCapabilities())('no message is lost across kill -9 and a restart', async () => {
    const c = client as KubemqClient;
    const b = broker as KubemqBroker;
    const q = queues(c);
    const channel = uniqueChannel('q.kill');
    const all = bodies(3000);
    for (let i = 0; i < all.length; i += 1000) {
      expect((await q.sendBatch(all.slice(i, i + 1000).map((body) => ({ channel, body })))).failed).toBe(0);
    }
    const seen = new Map<string, number>();
    let killed = false;
    const consumers: QueueConsumer[] = Array.from({ length: 4 }, () =>
      q.consume(
        channel,
        async (msg) => {
          seen.set(msg.text(), (seen.get(msg.text()) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, 1));
        },
        { batchSize: 50, concurrency: 2, waitTimeoutMs: 1000 },
      ),
    );
    try {
      await eventually(() => expect(seen.size).toBeGreaterThan(500), { timeoutMs: 30_000, intervalMs: 20 });
      await b.kill();
      killed = true;
      await b.restart();
      await eventually(() => expect(seen.size).toBe(all.length), { timeoutMs: 120_000, intervalMs: 250 });
    } finally {
      await Promise.all(consumers.map((x) => x.stop()));
    }
    const duplicates = [...seen.values()].reduce((n, v) => n + v - 1, 0);
    const recoveries = consumers.reduce((n, x) => n + x.stats.recoveries, 0);
    // Reported, not asserted: at-least-once allows redelivery of batches in hand at the kill.
    console.log(`queues kill -9: ${all.length} messages, ${seen.size} distinct delivered, ${duplicates} duplicate deliveries, ${recoveries} consumer recoveries`);
    expect(killed).toBe(true);
    expect(all.filter((body) => !seen.has(body))).toEqual([]);
  }, 240_000);

  itWhen('restart', expectedCapabilities())('a consumer across 10 broker restarts: no growth of streams or listeners, nothing lost', async () => {
    const c = client as KubemqClient;
    const b = broker as KubemqBroker;
    const q = queues(c);
    const channel = uniqueChannel('q.restarts');
    const seen = new Set<string>();
    const consumer = q.consume(channel, (msg) => void seen.add(msg.text()), { batchSize: 10, waitTimeoutMs: 1000 });
    const listenersAtStart = consumer.stats.listeners;
    try {
      for (let round = 0; round < 10; round++) {
        const body = `round-${round}`;
        await eventually(() => q.send({ channel, body }), { timeoutMs: 30_000, intervalMs: 250 });
        await eventually(() => expect(seen.has(body)).toBe(true), { timeoutMs: 30_000, intervalMs: 50 });
        await b.restart();
        expect(consumer.stats.streamsOpen).toBeLessThanOrEqual(1);
        expect(consumer.stats.listeners).toBeLessThanOrEqual(Math.max(listenersAtStart, 1));
        expect(consumer.stats.pollsInFlight).toBeLessThanOrEqual(1);
      }
      await eventually(() => q.send({ channel, body: 'last' }), { timeoutMs: 30_000, intervalMs: 250 });
      await eventually(() => expect(seen.has('last')).toBe(true), { timeoutMs: 30_000, intervalMs: 50 });
    } finally {
      await consumer.stop();
    }
    const stats = consumer.stats;
    console.log(`queues restarts: ${stats.recoveries} recoveries, ${stats.streamsOpened} streams opened, max ${stats.maxPollsInFlight} poll in flight`);
    expect(stats.recoveries).toBeGreaterThanOrEqual(10);
    expect(stats.maxPollsInFlight).toBe(1);
    expect(stats.streamsOpen).toBe(0);
    expect(stats.listeners).toBe(0);
  }, 300_000);

  itWhen('restart', expectedCapabilities())('the upstream re-opens after a restart; a send cut off by it fails retryable, never silently', async () => {
    const c = client as KubemqClient;
    const b = broker as KubemqBroker;
    const q = queues(c);
    const channel = uniqueChannel('q.up.restart');
    const up = q.upstream();
    try {
      expect((await up.send([{ channel, body: 'before' }])).failed).toBe(0);
      await b.restart();
      // The first send after the restart either works on a new stream or fails with a retryable
      // error (the stream it went out on was cut): retry it, as a caller would.
      let after: Awaited<ReturnType<typeof up.send>> | undefined;
      await eventually(
        async () => {
          try {
            after = await up.send([{ channel, body: 'after' }]);
          } catch (err) {
            expect(err).toMatchObject({ retryable: true });
            throw err;
          }
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
      expect(after?.failed).toBe(0);
    } finally {
      await up.close();
    }
    const bodiesSeen = (await q.receive({ channel, maxItems: 3, waitTimeoutMs: 1000 })).messages.map((m) => m.text());
    expect(bodiesSeen).toContain('after');
    expect(bodiesSeen.filter((x) => x === 'after').length).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
