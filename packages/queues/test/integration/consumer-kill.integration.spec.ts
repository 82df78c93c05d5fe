import { KubemqClient } from '@kubemq/core';
import { queueConsumer, queues, queueUpstream, type QueueConsumer } from '../../src/index.js';
import { expectedCapabilities, startKubemq, type KubemqBroker } from '@kubemq/testing';
import { eventually, itWhen, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { bodies, connect } from './helpers.js';

// A broker of its own: stopped (SIGTERM) or killed (SIGKILL) and restarted mid-run.
describe('queue consumers across broker outages (own broker)', () => {
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

  /**
   * 3000 messages through 4 consumers (batches of 50) while the broker goes down once, by `outage`.
   * Returns what was handled (and how often), what never came, and the consumers' own count of
   * what the loss of their streams may have stranded.
   */
  async function consumeAcross(outage: (b: KubemqBroker) => Promise<void>) {
    const c = client as KubemqClient;
    const b = broker as KubemqBroker;
    const q = queues(c);
    const channel = uniqueChannel('q.outage');
    const all = bodies(3000);
    for (let i = 0; i < all.length; i += 1000) {
      expect((await q.sendBatch(all.slice(i, i + 1000).map((body) => ({ channel, body })))).failed).toBe(0);
    }
    const maxItems = 50;
    const seen = new Map<string, number>();
    const consumers: QueueConsumer[] = Array.from({ length: 4 }, () =>
      queueConsumer(q, { channel, maxItems, concurrency: 2, waitTimeoutMs: 1000 }, async (msg) => {
        seen.set(msg.text(), (seen.get(msg.text()) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 1));
      }),
    );
    const strandable = () => consumers.reduce((n, x) => n + (x.stats.transactionsOpenAtLoss + x.stats.pollsInFlightAtLoss) * maxItems, 0);
    try {
      await eventually(() => expect(seen.size).toBeGreaterThan(500), { timeoutMs: 30_000, intervalMs: 20 });
      await outage(b);
      await b.restart();
      // Done once everything not stranded has come and nothing is left to deliver.
      await eventually(
        async () => {
          expect(seen.size + strandable()).toBeGreaterThanOrEqual(all.length);
          expect((await q.peek({ channel, maxItems: 1, waitTimeoutSeconds: 1 })).messages).toHaveLength(0);
          expect(consumers.every((x) => x.stats.streamsOpen <= 1)).toBe(true);
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
    } finally {
      await Promise.all(consumers.map((x) => x.stop()));
    }
    const stats = consumers.map((x) => x.stats);
    const outcome = {
      missing: all.filter((body) => !seen.has(body)).length,
      handledTwice: [...seen.values()].filter((n) => n > 1).length,
      redeliveriesSkipped: stats.reduce((n, st) => n + st.redeliveriesSkipped, 0),
      unsettledAtLoss: stats.reduce((n, st) => n + st.unsettledAtLoss, 0),
      pollsInFlightAtLoss: stats.reduce((n, st) => n + st.pollsInFlightAtLoss, 0),
      transactionsOpenAtLoss: stats.reduce((n, st) => n + st.transactionsOpenAtLoss, 0),
      strandable: strandable(),
      recoveries: stats.reduce((n, st) => n + st.recoveries, 0),
    };
    console.log(`queues outage: ${JSON.stringify(outcome)}`);
    return outcome;
  }

  // The open-source server keeps the messages of every transaction that is open when it is
  // killed, for good: those a consumer had received reached its handler; those a Get had taken
  // but not yet answered, and those an open transaction captured, never come; and each of them
  // comes back as a consumer that takes more, up to its batch size. A consumer counts the open
  // transactions and the Gets a lost stream cut off, so what is missing is at most that count
  // times the batch size. A redelivered message that was handled already is acked again, not
  // handled twice.
  itWhen('kill', expectedCapabilities())('across kill -9 and a restart: at most what the consumers counted as strandable is missing, nothing is handled twice', async () => {
    const outcome = await consumeAcross((b) => b.kill());
    expect(outcome.recoveries).toBeGreaterThan(0);
    expect(outcome.missing).toBeLessThanOrEqual(outcome.strandable);
    expect(outcome.handledTwice).toBe(0);
  }, 240_000);

  // A graceful stop closes every stream first, so the broker returns every open transaction. A Get
  // still waiting when its store closes (about 1.1 s later) would strand what it took, but 1 s
  // polls always end in time (broker-behaviour.md §5.3).
  itWhen('restart', expectedCapabilities())('across a graceful stop (SIGTERM) and a restart: nothing is missing, nothing is handled twice', async () => {
    const outcome = await consumeAcross((b) => b.stop());
    expect(outcome.recoveries).toBeGreaterThan(0);
    expect(outcome.missing).toBe(0);
    expect(outcome.handledTwice).toBe(0);
  }, 240_000);

  itWhen('restart', expectedCapabilities())('a consumer across 10 broker restarts: no growth of streams or listeners, nothing lost', async () => {
    const c = client as KubemqClient;
    const b = broker as KubemqBroker;
    const q = queues(c);
    const channel = uniqueChannel('q.restarts');
    const seen = new Set<string>();
    const consumer = queueConsumer(q, { channel, maxItems: 10, waitTimeoutMs: 1000 }, (msg) => void seen.add(msg.text()));
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
    const up = queueUpstream(c);
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
    const bodiesSeen = (await q.receive({ channel, maxItems: 3, waitTimeoutSeconds: 1 })).messages.map((m) => m.text());
    expect(bodiesSeen).toContain('after');
    expect(bodiesSeen.filter((x) => x === 'after').length).toBeGreaterThanOrEqual(1);
  }, 120_000);

  itWhen('restart', expectedCapabilities())(
    "a message redelivered to a second consumer while the first is still handling it waits for that handler's outcome: its failure is not acked away",
    async () => {
      const c = client as KubemqClient;
      const b = broker as KubemqBroker;
      const q = queues(c);
      const channel = uniqueChannel('q.inprogress');
      await q.send({ channel, body: 'M' });
      let fail!: () => void;
      const failing = new Promise<void>((resolve) => (fail = resolve));
      let firstHas = false;
      const first = queueConsumer(c, { channel, maxItems: 1, waitTimeoutMs: 1000, onError: () => undefined }, async () => {
        firstHas = true;
        await failing;
        throw new Error('the first handler failed');
      });
      const handledBySecond: string[] = [];
      const second = queueConsumer(c, { channel, maxItems: 1, waitTimeoutMs: 1000 }, (msg) => void handledBySecond.push(msg.text()));
      try {
        await eventually(() => expect(firstHas).toBe(true), { timeoutMs: 10_000, intervalMs: 20 });
        const firstStopped = first.stop(); // polls no more; its batch in hand stays in hand
        // The restart ends the first consumer's stream, and with it its transaction: the broker
        // delivers M again, to the second consumer, while the first handler still runs.
        await b.restart();
        await eventually(() => expect(second.stats.batches).toBeGreaterThanOrEqual(1), { timeoutMs: 30_000, intervalMs: 50 });
        fail();
        await firstStopped;
        await eventually(
          () => {
            expect(handledBySecond).toEqual(['M']);
            expect(second.stats).toMatchObject({ acked: 1, redeliveriesSkipped: 0 });
          },
          { timeoutMs: 30_000, intervalMs: 50 },
        );
      } finally {
        fail();
        await Promise.all([first.stop(), second.stop()]);
      }
    },
    120_000,
  );

  itWhen('restart', expectedCapabilities())('poll() while the broker is down: its timeoutMs covers the wait for the connection, it fails unsent, and nothing goes out once the broker is back', async () => {
    const c = client as KubemqClient;
    const b = broker as KubemqBroker;
    const q = queues(c);
    const channel = uniqueChannel('q.poll.outage');
    await b.stop();
    await eventually(() => expect(c.state).not.toBe('ready'), { timeoutMs: 10_000, intervalMs: 10 });
    const started = performance.now();
    const polled = q.poll({ channel, maxItems: 1, waitTimeoutMs: 1000 }, { timeoutMs: 1500 }).then(
      () => 'resolved',
      (err: unknown) => err,
    );
    const outcome = await Promise.race([polled, new Promise((r) => setTimeout(r, 5000, 'still waiting after 5 s'))]);
    expect(outcome).toMatchObject({ code: 'TIMEOUT', operation: 'queues.poll', message: expect.stringContaining('was not sent') });
    expect(performance.now() - started).toBeLessThan(3000);
    await b.restart();
    await eventually(() => q.send({ channel, body: 'after' }), { timeoutMs: 30_000, intervalMs: 250 });
    // No poll made during the outage went out late to take it: it is still waiting, visible to a peek.
    await new Promise((r) => setTimeout(r, 1500));
    const { messages } = await q.peek({ channel, maxItems: 5, waitTimeoutSeconds: 1 });
    expect(messages.map((m) => m.text())).toEqual(['after']);
  }, 60_000);

  itWhen('kill', expectedCapabilities())('a consumer whose client gives up reconnecting ends with RECONNECT_FAILED: done rejects and onError hears it', async () => {
    const own = await startKubemq();
    const c = await KubemqClient.connect({
      address: own.address,
      clientId: uniqueClientId('queues-giveup'),
      // Gives up after two failed attempts, within a second of the broker's stop.
      reconnect: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 100 },
    });
    const errors: unknown[] = [];
    try {
      const channel = uniqueChannel('q.giveup');
      let handled = 0;
      const consumer = queueConsumer(c, { channel, waitTimeoutMs: 1000, onError: (err) => void errors.push(err) }, () => void handled++);
      await queues(c).send({ channel, body: 'one' });
      await eventually(() => expect(handled).toBe(1));
      await own.stop();
      await expect(consumer.done).rejects.toMatchObject({ code: 'RECONNECT_FAILED' });
      expect(errors).toContainEqual(expect.objectContaining({ code: 'RECONNECT_FAILED' }));
    } finally {
      await c.close();
      await own[Symbol.asyncDispose]();
    }
  }, 60_000);
});
