// While the client reconnects: a poll waits for the connection only within its own deadline, and
// a poll loop stopped meanwhile ends its wait at once instead of staying in memory until the
// connection returns.
import { getEventListeners } from 'node:events';
import { KubemqError, type KubemqClient } from '@kubemq/core';
import { attachInternals, onAbort, type QueuesDownstreamRequest } from '@kubemq/core/internal';
import { settle, type FakeInternals } from '@kubemq/test-fakes';
import { queueConsumer, queues } from '../../src/index.js';
import { FakeQueueBroker } from './fake-queue-broker.js';

/**
 * The connection is lost until `restore()`: whenReady() waits, rejecting as the client's does
 * when its signal aborts; `waiting()` counts the waits still pending.
 */
function outage(internals: FakeInternals) {
  const waits = new Set<() => void>();
  internals.state = 'reconnecting';
  (internals as { whenReady: FakeInternals['whenReady'] }).whenReady = (signal, ctx = { operation: 'client.whenReady' }) =>
    new Promise<void>((resolve, reject) => {
      const stopListening = onAbort(signal, () => {
        waits.delete(back);
        reject(new KubemqError({ code: 'CANCELLED', operation: ctx.operation, message: `${ctx.operation} was aborted` }));
      });
      const back = (): void => {
        stopListening();
        resolve();
      };
      if (!signal?.aborted) waits.add(back);
    });
  return {
    waiting: () => waits.size,
    restore: () => {
      internals.state = 'ready';
      for (const back of [...waits]) back();
      waits.clear();
      internals.ready = Promise.resolve();
    },
  };
}

function setup(count = 0, defaultTimeoutMs = 2000) {
  const broker = new FakeQueueBroker();
  if (count > 0) broker.add('q', count);
  const internals = broker.internals({ defaultTimeoutMs });
  const client = {};
  attachInternals(client, internals);
  return { broker, internals, client: client as KubemqClient, q: queues(client as KubemqClient), connection: outage(internals) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The outcome of `p` and how long it took (ms). */
async function timed(p: Promise<unknown>): Promise<{ outcome: unknown; ms: number }> {
  const started = performance.now();
  const outcome = await p.then(
    () => 'resolved',
    (err: unknown) => err,
  );
  return { outcome, ms: performance.now() - started };
}

describe('poll() while the client reconnects: its deadline covers the wait for the connection', () => {
  it('a poll whose timeoutMs passes while it waits rejects TIMEOUT on time, unsent: no stream opens, nothing is taken, also once the connection returns', async () => {
    const { broker, q, connection } = setup(1);
    const { outcome, ms } = await timed(q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 }, { timeoutMs: 300 }));
    expect(outcome).toMatchObject({
      name: 'TimeoutError',
      code: 'TIMEOUT',
      operation: 'queues.poll',
      channel: 'q',
      timeoutMs: 300,
      sent: false,
      message: expect.stringContaining('queues.poll was not sent'),
    });
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(1000);
    expect(connection.waiting()).toBe(0);
    connection.restore();
    await sleep(50);
    expect(broker.calls).toHaveLength(0);
    expect(broker.waiting('q')).toHaveLength(1);
  });

  it('without a timeoutMs, the default deadline (the wait plus defaultTimeoutMs) bounds the wait', async () => {
    const { broker, q } = setup(1, 200);
    const { outcome, ms } = await timed(q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 }));
    expect(outcome).toMatchObject({ code: 'TIMEOUT', timeoutMs: 1200, sent: false, message: expect.stringContaining('was not sent') });
    expect(ms).toBeGreaterThanOrEqual(1190);
    expect(ms).toBeLessThan(2500);
    expect(broker.calls).toHaveLength(0);
  });

  it('a poll sent once the connection returns asks the broker for no longer a wait than its deadline leaves, less a second: its answer comes in time, and no Get is cut', async () => {
    const { broker, q, connection } = setup(0);
    // Back after 700 ms: 2300 ms are left of 3000, so the broker waits 1300 ms at most, not 5000.
    const polled = timed(q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 5000 }, { timeoutMs: 3000 }));
    await sleep(700);
    connection.restore();
    const { outcome, ms } = await polled;
    expect(outcome).toBe('resolved');
    expect(ms).toBeLessThan(3000);
    const wait = (broker.calls[0]?.written as unknown as QueuesDownstreamRequest[] | undefined)?.[0]?.WaitTimeout ?? 0;
    expect(wait).toBeGreaterThanOrEqual(1000);
    expect(wait).toBeLessThanOrEqual(1300);
    expect(broker.calls[0]?.cancelled).toBe(false);
  });

  it('one whose deadline leaves less than the broker\'s shortest wait (1 s) and a second is not sent: a Get cut by its deadline would wait on at the broker, holding (with autoAck, acking) what arrives', async () => {
    const { broker, q, connection } = setup(1);
    // Back after 700 ms: 800 ms are left of 1500.
    const polled = timed(q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000, autoAck: true }, { timeoutMs: 1500 }));
    await sleep(700);
    connection.restore();
    const { outcome, ms } = await polled;
    expect(outcome).toMatchObject({ code: 'TIMEOUT', sent: false, message: expect.stringContaining('queues.poll was not sent') });
    expect(ms).toBeLessThan(1000);
    expect(broker.calls.flatMap((c) => c.written)).toEqual([]);
    expect(broker.waiting('q')).toHaveLength(1);
  });

  it('one that fits in what is left is answered as usual', async () => {
    const { q, connection } = setup(1);
    const polled = q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 }, { timeoutMs: 2500 });
    await sleep(100);
    connection.restore();
    const tx = await polled;
    expect(tx.messages.map((m) => m.text())).toEqual(['m0']);
    await tx.ackAll();
  });

  it('a poll waiting for the connection derives no signal from the caller\'s, and leaves no listener on it', async () => {
    const { q, connection } = setup(0);
    // Node 20 keeps an entry per signal AbortSignal.any() derives on each source, for the source's lifetime.
    const any = jest.spyOn(AbortSignal, 'any');
    try {
      const shared = new AbortController().signal;
      const polls = Array.from({ length: 10 }, () => q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 }, { signal: shared }).then((tx) => tx.messages.length));
      await settle();
      connection.restore();
      expect(await Promise.all(polls)).toEqual(Array.from({ length: 10 }, () => 0));
      expect(getEventListeners(shared, 'abort')).toHaveLength(0);
      expect(any).not.toHaveBeenCalled();
    } finally {
      any.mockRestore();
    }
  });

  it('polls waiting at once add no listener each to one signal of the client\'s (no MaxListenersExceededWarning past 10)', async () => {
    const { q, connection } = setup(0);
    const added = jest.spyOn(EventTarget.prototype, 'addEventListener');
    try {
      const polls = Array.from({ length: 30 }, () => q.poll({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 }).then((tx) => tx.messages.length));
      await settle();
      const perTarget = new Map<unknown, number>();
      added.mock.calls.forEach(([type], i) => {
        if (type === 'abort') perTarget.set(added.mock.contexts[i], (perTarget.get(added.mock.contexts[i]) ?? 0) + 1);
      });
      expect(perTarget.size).toBeGreaterThanOrEqual(30); // each wait listens to a signal of its own
      expect(Math.max(...perTarget.values())).toBe(1);
      connection.restore();
      expect(await Promise.all(polls)).toEqual(Array.from({ length: 30 }, () => 0));
    } finally {
      added.mockRestore();
    }
  });
});

describe('a poll loop stopped while the client reconnects ends its wait for the connection', () => {
  it('subscribe() and transactions(), unsubscribed: no wait is left', async () => {
    const { broker, q, connection } = setup(1);
    const subs = [
      q.subscribe({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 }).subscribe({ error: () => undefined }),
      q.transactions({ channel: 'q', maxItems: 1, waitTimeoutMs: 1000 }).subscribe({ error: () => undefined }),
    ];
    await settle();
    expect(connection.waiting()).toBe(2);
    for (const sub of subs) sub.unsubscribe();
    await settle();
    expect(connection.waiting()).toBe(0);
    connection.restore();
    await sleep(50);
    expect(broker.calls.every((c) => c.cancelled)).toBe(true);
    expect(broker.waiting('q')).toHaveLength(1);
  });

  it('queueConsumer(), stopped: no wait is left, and stop() ends at once', async () => {
    const { broker, client, connection } = setup(1);
    const consumer = queueConsumer(client, { channel: 'q', waitTimeoutMs: 1000 }, () => undefined);
    await settle();
    expect(connection.waiting()).toBe(1);
    const started = performance.now();
    await consumer.stop();
    expect(performance.now() - started).toBeLessThan(500);
    await settle();
    expect(connection.waiting()).toBe(0);
    await expect(consumer.done).resolves.toBeUndefined();
    connection.restore();
    await sleep(50);
    expect(broker.calls.every((c) => c.cancelled)).toBe(true);
  });
});
