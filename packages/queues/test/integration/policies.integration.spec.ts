import type { KubemqClient } from '@kubemq/core';
import { queueConsumer, queues, type QueueMessageReceive, type QueuesClient } from '../../src/index.js';
import { eventually, sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { connect } from './helpers.js';

describe('queue policies through the broker', () => {
  let client: KubemqClient;
  let q: QueuesClient;

  beforeAll(async () => {
    client = await connect(sharedBroker().address, 'queues-policy');
    q = queues(client);
  });

  afterAll(async () => {
    await client.close();
  });

  it('delay: invisible before the delay, visible after', async () => {
    const channel = uniqueChannel('q.delay');
    // Durations on this machine's monotonic clock, and instants only against the broker's own:
    // a shared broker's clock may be off from this machine's by seconds.
    const started = performance.now();
    const sent = await q.send({ channel, body: 'later', policy: { delaySeconds: 3 } });
    expect(sent.delayedTo).toBeInstanceOf(Date);
    expect((sent.delayedTo as Date).getTime()).toBeGreaterThan((sent.sentAt as Date).getTime() + 2000);
    expect((await q.peek({ channel, maxItems: 1, waitTimeoutSeconds: 1 })).messages).toHaveLength(0);
    let got: readonly QueueMessageReceive[] = [];
    await eventually(
      async () => {
        got = (await q.receive({ channel, maxItems: 1, waitTimeoutSeconds: 1 })).messages;
        expect(got.map((m) => m.text())).toEqual(['later']);
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    // Not before its delay: the broker stored it in the queue (re-sent from its delay channel, a
    // new timestamp) no earlier than the delayedTo it answered, both on the broker's clock; and
    // it came at least the delay after the send began, on this machine's (less 50 ms for timer
    // rounding and the two clocks' rates).
    const [msg] = got as readonly [QueueMessageReceive];
    expect(msg.timestamp.getTime()).toBeGreaterThanOrEqual((sent.delayedTo as Date).getTime());
    expect(performance.now() - started).toBeGreaterThanOrEqual(2950);
  }, 30_000);

  it('expiration: an expired message is never delivered', async () => {
    const channel = uniqueChannel('q.expire');
    const sent = await q.send({ channel, body: 'stale', policy: { expirationSeconds: 1 } });
    expect(sent.expiresAt).toBeInstanceOf(Date);
    await q.send({ channel, body: 'fresh' });
    await new Promise((r) => setTimeout(r, 2500));
    const tx = await q.poll({ channel, maxItems: 2, waitTimeoutMs: 1000 });
    expect(tx.messages.map((m) => m.text())).toEqual(['fresh']);
    await tx.ackAll();
    expect((await q.receive({ channel, maxItems: 2, waitTimeoutSeconds: 1 })).messages).toHaveLength(0);
  }, 20_000);

  /** A queue whose head message has expired, with a live message behind it. */
  async function expiredHead(channel: string): Promise<void> {
    await q.send({ channel, body: 'stale', policy: { expirationSeconds: 1 } });
    await new Promise((r) => setTimeout(r, 1500)); // until it has expired
    await q.send({ channel, body: 'live' });
  }

  it('expiration: an expired head message takes a poll\'s place, and the live one behind it comes next', async () => {
    const channel = uniqueChannel('q.expire.head');
    await expiredHead(channel);
    // The broker counts the expired message toward maxItems and drops it: an empty answer,
    // whose transaction the broker would keep open, holding the next message, if not closed.
    const first = await q.poll({ channel, maxItems: 1, waitTimeoutMs: 1000 });
    expect(first.messages).toHaveLength(0);
    expect(first.state).toBe('closed');
    const second = await q.poll({ channel, maxItems: 1, waitTimeoutMs: 2000 });
    expect(second.messages.map((m) => m.text())).toEqual(['live']);
    await second.ackAll();
  }, 20_000);

  it('expiration: a consumer with batches of one handles the live message behind an expired one', async () => {
    const channel = uniqueChannel('q.expire.consume');
    await expiredHead(channel);
    const handled: string[] = [];
    const consumer = queueConsumer(q, { channel, maxItems: 1, waitTimeoutMs: 1000 }, (msg) => void handled.push(msg.text()));
    try {
      await eventually(() => expect(handled).toEqual(['live']), { timeoutMs: 10_000, intervalMs: 50 });
    } finally {
      await consumer.stop();
    }
    expect(consumer.stats.acked).toBe(1);
  }, 20_000);

  it('dead letter: a message nacked maxReceiveCount times lands in the DLQ, re-routed', async () => {
    const channel = uniqueChannel('q.dlq.src');
    const dlq = uniqueChannel('q.dlq.dead');
    await q.send({ channel, body: 'poison', policy: { maxReceiveCount: 2, deadLetterQueue: dlq } });
    const counts: number[] = [];
    for (let i = 0; i < 2; i++) {
      const tx = await q.poll({ channel, maxItems: 1, waitTimeoutMs: 2000 });
      expect(tx.messages).toHaveLength(1);
      counts.push(tx.messages[0]!.receiveCount);
      await tx.nackAll();
    }
    expect(counts).toEqual([1, 2]);
    const dead = await q.poll({ channel: dlq, maxItems: 1, waitTimeoutMs: 2000 });
    expect(dead.messages).toHaveLength(1);
    const m = dead.messages[0]!;
    expect(m.text()).toBe('poison');
    expect(m.reRouted).toBe(true);
    expect(m.reRoutedFromQueue).toBe(channel);
    expect(m.receiveCount).toBe(1);
    expect(m.policy.maxReceiveCount).toBeUndefined(); // the broker zeroes the policy
    await dead.ackAll();
    expect((await q.peek({ channel, maxItems: 1, waitTimeoutSeconds: 1 })).messages).toHaveLength(0);
  }, 30_000);
});
