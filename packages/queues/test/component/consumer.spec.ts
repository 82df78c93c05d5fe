import { KubemqError } from '@kubemq/core';
import { mapError, QueuesDownstreamRequestType as T, type QueuesDownstreamRequest } from '@kubemq/core/internal';
import { startConsumer } from '../../src/internal/consumer/consumer.js';
import type { QueueConsumer } from '../../src/internal/consumer/queue-consumer.js';
import { pollTransactions } from '../../src/internal/consumer/subscribe.js';
import { newLaneCounters } from '../../src/internal/downstream/lane.js';
import { ProcessedMemory } from '../../src/internal/consumer/processed.js';
import { QueueTransactionError } from '../../src/errors.js';
import type { PolledQueueMessage } from '../../src/index.js';
import { until } from '@kubemq/test-fakes';
import { FakeQueueBroker } from './fake-queue-broker.js';

const running: QueueConsumer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
});

/** The internals of the consumer start() made last (to hold its connection back). */
let lastInternals: ReturnType<FakeQueueBroker['internals']> | undefined;

function start(
  broker: FakeQueueBroker,
  handler: (body: string, message: PolledQueueMessage) => unknown,
  opts: { batch?: number; concurrency?: number; warnings?: string[]; memory?: ProcessedMemory } = {},
) {
  const memory = opts.memory ?? new ProcessedMemory();
  const internals = broker.internals();
  lastInternals = internals;
  if (opts.warnings) {
    const warnings = opts.warnings;
    internals.logger.warn = (message: string) => void warnings.push(message);
  }
  const counters = newLaneCounters();
  const consumer = startConsumer({
    open: (hooks) =>
      pollTransactions(internals, {
        request: { channel: 'q', maxItems: opts.batch ?? 10, waitTimeoutMs: 1000, autoAck: false },
        operation: 'queues.consume',
        defaultTimeoutMs: 1000,
        counters,
        onRecover: hooks.onRecover,
        keepPolling: hooks.keepPolling,
      }),
    stopWaitMs: 3000,
    counters,
    handler: (m) => handler(m.text(), m),
    concurrency: opts.concurrency ?? 1,
    onError: () => undefined,
    signal: undefined,
    track: () => () => undefined,
    processed: { memory, release: () => undefined },
  });
  running.push(consumer);
  return consumer;
}

const types = (broker: FakeQueueBroker, call = 0) => (broker.calls[call]!.written as unknown as QueuesDownstreamRequest[]).map((r) => r.RequestTypeData);

describe('consumer loop (against a broker-like fake, core recoverable)', () => {
  it('an expired message at the head (which takes the batch\'s one place) does not hide the live one behind it', async () => {
    const broker = new FakeQueueBroker();
    broker.addExpired('q');
    broker.add('q', 1, () => 'live');
    const seen: string[] = [];
    const consumer = start(broker, (b) => seen.push(b), { batch: 1 });
    await until(() => seen.length === 1 && consumer.stats.acked === 1);
    expect(seen).toEqual(['live']);
    await consumer.stop();
    expect(types(broker).slice(0, 2)).toEqual([T.Get, T.CloseByClient]);
    expect(broker.openTransactions.size).toBe(0);
  });

  it('drains a batch, settles it, and only then polls again: never a second Get after ack-all', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 30);
    const seen: string[] = [];
    const consumer = start(broker, (b) => seen.push(b), { batch: 10, concurrency: 3 });
    await until(() => seen.length === 30 && consumer.stats.acked === 30);
    await consumer.stop();
    // Full batches: each settlement is proved by the Get right behind it, with no probe.
    const settled = [T.Get, T.AckAll, T.CloseByClient];
    expect(types(broker).slice(0, 10)).toEqual([...settled, ...settled, ...settled, T.Get]);
    expect(types(broker)).not.toContain(T.ActiveOffsets);
    // at most the one (empty) Get that was pending when it stopped
    expect(types(broker).slice(10).filter((t) => t === T.Get).length).toBeLessThanOrEqual(1);
    expect(consumer.stats).toMatchObject({ batches: 3, messages: 30, acked: 30, nacked: 0, maxPollsInFlight: 1, streamsOpen: 0 });
    expect(new Set(seen).size).toBe(30);
  });

  it('nacks exactly the messages whose handler threw, acks the rest in the same round', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 4);
    const thrown = new Set<string>();
    const consumer = start(broker, (b) => {
      if ((b === 'm1' || b === 'm3') && !thrown.has(b)) {
        thrown.add(b);
        throw new Error('no');
      }
    }, { batch: 4 });
    // The nacked two come back in the next batch and succeed there.
    await until(() => consumer.stats.batches === 2 && consumer.stats.acked === 4);
    await consumer.stop();
    const first = (broker.calls[0]!.written as unknown as QueuesDownstreamRequest[]).slice(0, 6);
    // The nack leaves the transaction open, so a probe proves it; the ack that ends it rides on the next Get.
    expect(first.map((r) => r.RequestTypeData)).toEqual([T.Get, T.NAckRange, T.ActiveOffsets, T.AckAll, T.CloseByClient, T.Get]);
    expect(first[1]!.SequenceRange).toEqual([2n, 4n]);
    expect(consumer.stats).toMatchObject({ acked: 4, nacked: 2, handlerErrors: 2 });
  });

  it('survives 100 stream breaks with no growth of streams, listeners or polls in flight, and loses nothing', async () => {
    const broker = new FakeQueueBroker();
    const seen = new Map<string, number>();
    const consumer = start(broker, (b) => seen.set(b, (seen.get(b) ?? 0) + 1), { batch: 5 });
    for (let i = 0; i < 100; i++) {
      await until(() => broker.getsInFlight === 1 && broker.calls.filter((c) => !c.cancelled).length === 1);
      const open = broker.calls.filter((c) => !c.cancelled);
      expect(open).toHaveLength(1);
      open[0]!.fail();
      expect(consumer.stats.listeners).toBeLessThanOrEqual(1);
    }
    await until(() => consumer.stats.recoveries >= 100 && broker.getsInFlight === 1 && broker.calls.filter((c) => !c.cancelled).length === 1);
    broker.add('q', 20);
    await until(() => seen.size === 20);
    await consumer.stop();
    const stats = consumer.stats;
    expect(stats.streamsOpened).toBe(101);
    expect(stats.streamsOpen).toBe(0);
    expect(stats.listeners).toBe(0);
    expect(stats.maxPollsInFlight).toBe(1);
    expect(stats.recoveries).toBeGreaterThanOrEqual(100);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  }, 30_000);

  it('a break with a batch in hand: the broker delivers the batch again, and it is acked without being handled twice', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 3);
    const seen: string[] = [];
    let broke = false;
    const consumer = start(broker, async (b) => {
      seen.push(b);
      if (!broke) {
        broke = true;
        broker.calls[0]!.fail(); // the stream dies while the handler runs
      }
    }, { batch: 3 });
    await until(() => consumer.stats.redeliveriesSkipped === 3 && broker.waiting('q').length === 0 && broker.openTransactions.size === 0);
    await consumer.stop();
    expect(seen).toEqual(['m0', 'm1', 'm2']); // redelivered in full, handled once
    expect(consumer.stats).toMatchObject({ settleErrors: 1, acked: 3, redeliveriesSkipped: 3, messages: 3 });
  });

  it('a full batch whose proof, the next Get, never answers (a link that died silently): the Get\'s deadline ends the stream, the settlement counts as an error and the consumer re-opens', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 1);
    const seen: string[] = [];
    const consumer = start(broker, (b) => {
      seen.push(b);
      // Only the proof Get stalls: the re-opened stream's Get answers, however soon it comes.
      if (seen.length === 1) broker.stallNextGets = 1;
    }, { batch: 1 });
    // The Get's deadline: its wait plus the default timeout, 2 s.
    await until(() => consumer.stats.settleErrors === 1, 4000);
    expect(broker.calls[0]!.cancelled).toBe(true);
    broker.add('q', 1, () => 'n0');
    await until(() => seen.length === 2);
    expect(seen).toEqual(['m0', 'n0']);
    expect(consumer.stats.recoveries).toBe(1);
  });

  it('consumers of one queue on one client share what was handled: a batch redelivered to another consumer is not handled again', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    const memory = new ProcessedMemory();
    const seen: string[] = [];
    let firstStopped: Promise<void> | undefined;
    const first = start(broker, (b) => {
      seen.push(b);
      if (seen.length === 1) {
        broker.calls[0]!.fail(); // lost before its ack: the broker hands the batch to whoever polls next
        firstStopped = first.stop(); // and this consumer polls no more
      }
    }, { batch: 2, memory });
    await until(() => firstStopped !== undefined);
    await firstStopped;
    expect(seen).toEqual(['m0', 'm1']);
    expect(broker.waiting('q')).toHaveLength(2);
    const second = start(broker, (b) => seen.push(b), { batch: 2, memory });
    await until(() => second.stats.redeliveriesSkipped === 2 && broker.openTransactions.size === 0);
    await second.stop();
    expect(seen).toEqual(['m0', 'm1']);
    expect(broker.waiting('q')).toHaveLength(0);
  });

  it.each(['nack', 'requeue'] as const)('a handler whose own %s was lost with its stream gets the redelivery again: it is not acked as handled', async (kind) => {
    const broker = new FakeQueueBroker();
    broker.add('q', 1);
    const calls: string[] = [];
    const consumer = start(
      broker,
      async (body, m) => {
        calls.push(`${body} seq=${m.sequence}`);
        if (calls.length > 1) return; // handled this time: acked with its batch
        broker.calls[0]!.fail(); // the stream breaks before the broker applies the settlement
        const settle = kind === 'nack' ? m.nack() : m.requeue({ channel: 'elsewhere' });
        await settle.catch((err: unknown) => {
          if (!(err instanceof QueueTransactionError && err.reason === 'lost')) throw err;
        });
      },
      { batch: 1 },
    );
    await until(() => consumer.stats.acked === 1 && broker.openTransactions.size === 0);
    expect(calls).toEqual(['m0 seq=1', 'm0 seq=1']);
    expect(consumer.stats.redeliveriesSkipped).toBe(0);
    expect(broker.waiting('q')).toHaveLength(0);
  });

  it('the same stored message twice in one batch is handled once', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    broker.repeatInNextGet = true;
    const seen: string[] = [];
    const consumer = start(broker, (b) => seen.push(b), { batch: 2, concurrency: 3 });
    await until(() => consumer.stats.batches === 1 && consumer.stats.acked === 3);
    await consumer.stop();
    expect(seen.sort()).toEqual(['m0', 'm1']);
    expect(consumer.stats.redeliveriesSkipped).toBe(1);
  });

  it('counts and reports what a lost stream may strand: the batch in hand, and a Get waiting for its answer', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 3);
    const warnings: string[] = [];
    const seen: string[] = [];
    let broke = false;
    const consumer = start(broker, async (b) => {
      seen.push(b);
      if (!broke) {
        broke = true;
        broker.calls[0]!.fail(); // lost with all three received and unsettled
      }
    }, { batch: 3, warnings });
    await until(() => consumer.stats.redeliveriesSkipped === 3);
    expect(seen).toEqual(['m0', 'm1', 'm2']); // every received message reached the handler, once
    expect(consumer.stats).toMatchObject({ unsettledAtLoss: 3, pollsInFlightAtLoss: 0, transactionsOpenAtLoss: 1 });
    expect(warnings.filter((w) => w.includes('not yet settled') && w.includes('up to maxItems'))).toHaveLength(1);
    // Idle now: its Get waits for messages. A loss counts that Get, a stop() counts nothing.
    await until(() => broker.getsInFlight === 1);
    broker.calls.find((c) => !c.cancelled)!.fail();
    await until(() => consumer.stats.recoveries === 2 && broker.getsInFlight === 1);
    await consumer.stop();
    // That Get was also the proof of the ack of the full batch before it: unconfirmed, so its three
    // messages count again, and that ack as a second settlement error (the first loss's is the first).
    // The transaction is not counted as open: its ack and close went out ahead of the Get, so the
    // broker, serving them in order, had either closed it or not yet started that Get.
    expect(consumer.stats).toMatchObject({ unsettledAtLoss: 6, pollsInFlightAtLoss: 1, transactionsOpenAtLoss: 1, settleErrors: 2 });
    expect(warnings.filter((w) => w.includes('while a Get waited'))).toHaveLength(1);
  });

  it('counts a short batch open at a loss as maxItems that may be stranded, not just the messages received: the open transaction captures later arrivals', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 1);
    const warnings: string[] = [];
    let release!: () => void;
    const handling = new Promise<void>((resolve) => (release = resolve));
    const consumer = start(broker, () => handling, { batch: 10, warnings });
    await until(() => consumer.stats.messages === 1);
    // Sent while the handler runs: the still-open transaction takes them in, hidden (§2.4).
    broker.add('q', 5, (i) => `late${i}`);
    expect(broker.waiting('q')).toHaveLength(0);
    broker.calls[0]!.fail();
    release();
    await until(() => consumer.stats.recoveries === 1 && consumer.stats.settleErrors === 1);
    // One message reached the handler, six were held: the bound (1 + 0) × 10 covers them.
    expect(consumer.stats).toMatchObject({ unsettledAtLoss: 1, transactionsOpenAtLoss: 1, pollsInFlightAtLoss: 0 });
    expect(warnings.filter((w) => w.includes('poll transaction open'))).toHaveLength(1);
    await consumer.stop();
  });

  it('a consumer stopped by its owner with its Get waiting counts nothing lost', async () => {
    const broker = new FakeQueueBroker();
    const consumer = start(broker, () => undefined);
    await until(() => broker.getsInFlight === 1);
    await consumer.stop();
    expect(consumer.stats).toMatchObject({ unsettledAtLoss: 0, transactionsOpenAtLoss: 0, pollsInFlightAtLoss: 0 });
  });

  it('stop() waits for the Get in flight and closes its transaction before it ends the stream: the broker is left holding nothing', async () => {
    const broker = new FakeQueueBroker();
    const seen: string[] = [];
    const consumer = start(broker, (b) => void seen.push(b));
    await until(() => broker.getsInFlight === 1);
    const stopped = consumer.stop();
    // A message that arrives while the Get still waits goes into it (its wait runs to the end).
    broker.add('q', 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(broker.calls[0]!.cancelled).toBe(false);
    await stopped;
    expect(seen).toEqual([]);
    expect(types(broker)).toEqual([T.Get, T.CloseByClient, T.ActiveOffsets]);
    expect(broker.openTransactions.size).toBe(0);
    expect(broker.waiting('q').map((m) => m.msg.Body.toString())).toEqual(['m0']);
    expect(broker.calls[0]!.cancelled).toBe(true);
    await expect(consumer.done).resolves.toBeUndefined();
  });

  it('stop() while the stream is lost and the client reconnects has no Get to wait for: it ends at once', async () => {
    const broker = new FakeQueueBroker();
    const consumer = start(broker, () => undefined);
    await until(() => broker.getsInFlight === 1);
    // The connection is down and does not come back while the consumer stops.
    const internals = lastInternals!;
    internals.state = 'reconnecting';
    internals.ready = new Promise<void>(() => undefined);
    broker.calls[0]!.fail();
    await until(() => consumer.stats.pollsInFlight === 0);
    const started = performance.now();
    await consumer.stop();
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('a batch handed over after a loss waits for the batch before it: never two batches at once', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let running = 0;
    let maxRunning = 0;
    const seen: string[] = [];
    const consumer = start(broker, async (b) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      seen.push(b);
      if (seen.length === 1) {
        broker.calls[0]!.fail(); // lost: its message comes back on the next stream
        await gate; // while this handler is still busy
      }
      running--;
    }, { batch: 1 });
    await until(() => consumer.stats.recoveries === 1 && broker.getsInFlight === 0 && consumer.stats.polls >= 2);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['m0']); // the next batch is held until the first one is done
    release();
    await until(() => consumer.stats.acked === 2 && consumer.stats.redeliveriesSkipped === 1);
    await consumer.stop();
    expect(seen).toEqual(['m0', 'm1']);
    expect(maxRunning).toBe(1);
  });

  it('stop() lets the batch in hand finish and settle before ending the stream', async () => {
    const broker = new FakeQueueBroker();
    broker.add('q', 2);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const consumer = start(broker, () => gate, { batch: 2, concurrency: 2 });
    await until(() => consumer.stats.messages === 2);
    const stopping = consumer.stop();
    await new Promise((r) => setTimeout(r, 10));
    expect(broker.calls[0]!.cancelled).toBe(false);
    release();
    await stopping;
    await expect(consumer.done).resolves.toBeUndefined();
    expect(consumer.stats.acked).toBe(2);
    expect(broker.waiting('q')).toHaveLength(0);
    expect(broker.calls[0]!.cancelled).toBe(true);
  });

  it('re-opens after the stream ends with INTERNAL (a broker stopping: RST_STREAM code 0), but not after a validation error', async () => {
    const broker = new FakeQueueBroker();
    const seen: string[] = [];
    const consumer = start(broker, (b) => seen.push(b));
    await until(() => broker.getsInFlight === 1);
    // What core's mapper delivers for grpc-js's status of a stream the stopping broker reset.
    broker.calls[0]!.fail(mapError({ code: 13, details: 'Received RST_STREAM with code 0', metadata: {} }, { operation: 'x' }));
    await until(() => consumer.stats.recoveries === 1 && broker.calls.filter((c) => !c.cancelled).length === 1);
    broker.add('q', 1);
    await until(() => seen.length === 1);
    await until(() => broker.getsInFlight === 1);
    broker.calls[1]!.fail(new KubemqError({ code: 'VALIDATION', operation: 'x', message: 'Error 120: invalid queue name' }));
    await expect(consumer.done).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
