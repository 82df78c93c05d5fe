// Leaks across reconnects: a client holding one subscription of each kind (events, events store,
// queue consumer, command responder, query responder) is forced to reconnect 100 times by
// resetting every TCP connection in a proxy between it and the shared broker (a network drop; the
// broker keeps running, so this is fast and honest). Afterwards open gRPC streams, reconnect hooks,
// tracked resources, timers and handles are back to the baseline, every subscription still
// delivers, and the heap after GC is within a stated bound.
import { KubemqClient } from '@kubemq/core';
import { events } from '@kubemq/events';
import { eventsStore, StartPosition } from '@kubemq/events-store';
import { queueConsumer, queues } from '@kubemq/queues';
import { commandResponder, commands, queries, queryResponder } from '@kubemq/rpc';
import { sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { filter, firstValueFrom, type Subscription } from 'rxjs';
import { lastingResources, probeClient } from '../src/client-probe.js';
import { startTcpProxy, type TcpProxy } from '@kubemq/test-fakes';
import { sleep, until } from './support/wait.js';

const RECONNECTS = 100;
/** Heap after GC may grow by at most this much over 100 reconnects (measured: see the report). */
const HEAP_BOUND_BYTES = 8 * 1024 * 1024;

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g();
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

describe('no leaks after 100 forced reconnects', () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    proxy = await startTcpProxy(sharedBroker().address);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('streams, hooks, timers and handles return to the baseline; the heap stays bounded; every subscription delivers', async () => {
    const client = await KubemqClient.connect({
      address: proxy.address,
      clientId: uniqueClientId('rel-leak'),
      reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    });
    const probe = probeClient(client);
    // A second client, straight to the broker, sends the liveness checks.
    const sender = await KubemqClient.connect({ address: sharedBroker().address, clientId: uniqueClientId('rel-leak-send') });
    const ch = {
      events: uniqueChannel('rel.leak.ev'),
      store: uniqueChannel('rel.leak.es'),
      queue: uniqueChannel('rel.leak.q'),
      command: uniqueChannel('rel.leak.cmd'),
      query: uniqueChannel('rel.leak.qry'),
    };
    const got = { events: [] as string[], store: [] as string[], queue: [] as string[], command: [] as string[], query: [] as string[] };
    const subs: Subscription[] = [];
    subs.push(events(client).subscribe({ channel: ch.events }).subscribe((e) => got.events.push(e.text())));
    subs.push(eventsStore(client).subscribe({ channel: ch.store, startAt: StartPosition.fromFirst() }).subscribe((e) => got.store.push(e.text())));
    const consumer = queueConsumer(client, { channel: ch.queue, waitTimeoutMs: 1000 }, (m) => void got.queue.push(m.text()));
    const cmd = commandResponder(client, { channel: ch.command }, (c) => void got.command.push(c.text()));
    const qry = queryResponder(client, { channel: ch.query }, (q) => {
      got.query.push(q.text());
      return { body: 'ok' };
    });

    /** Proves each of the five subscriptions delivers `tag`. */
    async function allDeliver(tag: string): Promise<void> {
      await Promise.all([cmd.ready({ timeoutMs: 20_000 }), qry.ready({ timeoutMs: 20_000 })]);
      await eventsStore(sender).send({ channel: ch.store, body: tag });
      await queues(sender).send({ channel: ch.queue, body: tag });
      await commands(sender).send({ channel: ch.command, body: tag, timeoutMs: 5000 });
      await queries(sender).send({ channel: ch.query, body: tag, timeoutMs: 5000 });
      // events are not stored: probe until one arrives
      const deadline = performance.now() + 20_000;
      while (!got.events.includes(tag)) {
        if (performance.now() > deadline) throw new Error(`events subscription did not deliver ${tag}`);
        await events(sender).send({ channel: ch.events, body: tag });
        await sleep(50);
      }
      await until(() => got.store.includes(tag) && got.queue.includes(tag), 20_000, () => `store/queue delivery of ${tag}`);
      expect(got.command).toContain(tag);
      expect(got.query).toContain(tag);
    }

    try {
      await allDeliver('baseline');
      // Let the pattern packages settle (readiness probes, first polls) before the baseline.
      await sleep(1500);
      const baseline = { counts: probe.counts(), streams: probe.openByOperation(), resources: await lastingResources(), heap: await heapAfterGc(), listeners: consumer.stats.listeners };

      let reconnects = 0;
      for (let i = 0; i < RECONNECTS; i++) {
        const before = probe.counts().streamsOpened;
        const lost = firstValueFrom(client.state$.pipe(filter((s) => s === 'reconnecting')));
        await proxy.dropAll();
        await lost;
        await firstValueFrom(client.state$.pipe(filter((s) => s === 'ready')));
        reconnects++;
        // Every subscription re-opened its stream (the same number open as at the baseline).
        await until(
          () => probe.counts().openStreams >= baseline.counts.openStreams && probe.counts().streamsOpened >= before + baseline.counts.openStreams,
          10_000,
          () => `streams to re-open after reconnect ${i + 1}: ${JSON.stringify(probe.openByOperation())} vs ${JSON.stringify(baseline.streams)}`,
        );
      }
      expect(reconnects).toBe(RECONNECTS);
      expect(proxy.stats.drops).toBe(RECONNECTS);

      await allDeliver('after');
      await sleep(1500);
      const after = { counts: probe.counts(), streams: probe.openByOperation(), resources: await lastingResources(), heap: await heapAfterGc(), listeners: consumer.stats.listeners };
      process.stdout.write(
        `leaks: baseline ${JSON.stringify({ ...baseline, heap: `${(baseline.heap / 1048576).toFixed(1)} MB` })}\n` +
          `leaks: after ${RECONNECTS} reconnects ${JSON.stringify({ ...after, heap: `${(after.heap / 1048576).toFixed(1)} MB` })}\n` +
          `leaks: proxy ${JSON.stringify(proxy.stats)}\n`,
      );

      expect(after.streams).toEqual(baseline.streams);
      expect({ ...after.counts, streamsOpened: 0 }).toEqual({ ...baseline.counts, streamsOpened: 0 });
      expect(after.listeners).toBe(baseline.listeners);
      expect(after.resources).toEqual(baseline.resources);
      // One HTTP/2 connection from the client, as at the start (none left half-open).
      expect(proxy.stats.open).toBe(1);
      expect(after.heap - baseline.heap).toBeLessThan(HEAP_BOUND_BYTES);
    } finally {
      subs.forEach((s) => s.unsubscribe());
      await consumer.stop();
      await cmd.stop();
      await qry.stop();
      await client.close();
      await sender.close();
    }
  }, 170_000);
});
