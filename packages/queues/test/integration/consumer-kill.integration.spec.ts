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
});
