import { KubemqClient } from '@kubemq/core';
import { clientInternals } from '@kubemq/core/internal';
import { eventListener, events, eventStream, type EventReceive } from '../../src/index.js';
import { expectedCapabilities, startKubemq, type KubemqBroker } from '@kubemq/testing';
import { eventually, itWhen, probeUntil, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { collect, connect } from './helpers.js';

// Events are at-most-once: events sent while the broker is down may be lost. What must hold is
// that the subscription comes back by itself once the broker does.
describe('events across a broker restart (own broker)', () => {
  let broker: KubemqBroker | undefined;
  let client: KubemqClient | undefined;

  beforeAll(async () => {
    if (!expectedCapabilities().restart) return;
    broker = await startKubemq();
    client = await connect(broker.address, 'events-restart');
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await broker?.[Symbol.asyncDispose]();
  });

  async function liveAgain(c: KubemqClient, channel: string, items: EventReceive[], tag: string): Promise<void> {
    await probeUntil(
      // While the broker is down a probe may fail; that is expected, keep probing.
      () => events(c).send({ channel, metadata: tag }).catch(() => undefined),
      () => items.some((e) => e.metadata === tag),
      { timeoutMs: 45_000, intervalMs: 250 },
    );
  }

  itWhen('restart', expectedCapabilities())('a subscription is live again after a graceful restart', async () => {
    const c = client as KubemqClient;
    const channel = uniqueChannel('ev.restart');
    const sub = collect(events(c).subscribe({ channel }));
    const group = collect(events(c).subscribe({ channel, group: 'g' }));
    try {
      await liveAgain(c, channel, sub.items, 'before');
      await liveAgain(c, channel, group.items, 'before-g');
      const states: string[] = [];
      const watch = clientInternals(c).state$.subscribe((s) => states.push(s));
      await (broker as KubemqBroker).restart();
      await liveAgain(c, channel, sub.items, 'after');
      watch.unsubscribe();
      expect(states).toContain('reconnecting');
      await liveAgain(c, channel, group.items, 'after-g');
      expect(sub.errors).toEqual([]);
      expect(group.errors).toEqual([]);
    } finally {
      sub.sub.unsubscribe();
      group.sub.unsubscribe();
    }
  }, 120_000);

  itWhen('restart', expectedCapabilities())('send() and a stream handle opened before a restart work after it', async () => {
    const c = client as KubemqClient;
    const channel = uniqueChannel('ev.handle-restart');
    const sub = collect(events(c).subscribe({ channel }));
    const handle = eventStream(c);
    const failures: string[] = [];
    handle.failures.subscribe((f) => failures.push(f.id));
    try {
      await liveAgain(c, channel, sub.items, 'before');
      await handle.send({ channel, body: 'via handle, before' });
      await handle.flush();
      await (broker as KubemqBroker).restart();
      await liveAgain(c, channel, sub.items, 'after');
      // the handle's old stream died with the broker; the next send opens a new one
      await eventually(async () => {
        await handle.send({ channel, body: 'via handle, after' });
        await handle.flush({ timeoutMs: 2_000 });
        expect(sub.items.some((e) => e.text() === 'via handle, after')).toBe(true);
      }, { timeoutMs: 20_000, intervalMs: 200 });
      expect((await events(c).send({ channel, body: 'via send, after' })).sent).toBe(true);
      expect(failures).toEqual([]);
    } finally {
      await handle.close();
      sub.sub.unsubscribe();
    }
  }, 120_000);

  itWhen('restart', expectedCapabilities())("a stream handle's flush after a break that took unconfirmed writes with it rejects, saying how many; the next flush resolves", async () => {
    const c = client as KubemqClient;
    const channel = uniqueChannel('ev.handle-lost');
    const handle = eventStream(c);
    try {
      await handle.send({ channel, body: 'confirmed' });
      await handle.flush();
      for (let i = 0; i < 5; i++) await handle.send({ channel, body: `unconfirmed ${i}` }); // written, no flush
      const states: string[] = [];
      const watch = clientInternals(c).state$.subscribe((st) => states.push(st));
      await (broker as KubemqBroker).restart();
      // The client saw the break and is back: the handle's call went with the old connection.
      await eventually(
        () => {
          const broke = states.indexOf('reconnecting');
          expect(broke).toBeGreaterThanOrEqual(0);
          expect(states.slice(broke)).toContain('ready');
        },
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      watch.unsubscribe();
      await expect(handle.flush({ timeoutMs: 20_000 })).rejects.toMatchObject({
        message: expect.stringContaining('the stream broke before the broker confirmed 5 event(s) written since the last flush'),
      });
      await handle.send({ channel, body: 'after' });
      await expect(handle.flush({ timeoutMs: 20_000 })).resolves.toBeUndefined();
    } finally {
      await handle.close();
    }
  }, 120_000);

  itWhen('restart', expectedCapabilities())('a listener is not ready after a restart until proven again; then the next event reaches it', async () => {
    const c = client as KubemqClient;
    const channel = uniqueChannel('ev.listen-restart');
    const received: string[] = [];
    const listener = eventListener(c, { channel }, (e) => void received.push(e.text()));
    try {
      await listener.ready();
      await (broker as KubemqBroker).restart();
      // The proof was for the stream that died with the broker: ready() probes the new one.
      await listener.ready({ timeoutMs: 45_000 });
      expect(listener.stats.recoveries).toBeGreaterThanOrEqual(1);
      await events(c).send({ channel, body: 'after restart' });
      await eventually(() => expect(received).toEqual(['after restart']));
    } finally {
      await listener.stop();
    }
  }, 120_000);

  itWhen('kill', expectedCapabilities())('a subscription is live again after kill -9 and a restart', async () => {
    const c = client as KubemqClient;
    const channel = uniqueChannel('ev.kill');
    const sub = collect(events(c).subscribe({ channel }));
    try {
      await liveAgain(c, channel, sub.items, 'before');
      await (broker as KubemqBroker).kill();
      const states: string[] = [];
      const watch = clientInternals(c).state$.subscribe((s) => states.push(s));
      await (broker as KubemqBroker).restart();
      await liveAgain(c, channel, sub.items, 'after');
      watch.unsubscribe();
      expect(states).toContain('reconnecting');
      expect(sub.errors).toEqual([]);
    } finally {
      sub.sub.unsubscribe();
    }
  }, 120_000);

  itWhen('restart', expectedCapabilities())('a listener whose client gives up reconnecting ends with RECONNECT_FAILED: done rejects and onError hears it', async () => {
    const own = await startKubemq();
    const c = await KubemqClient.connect({
      address: own.address,
      clientId: uniqueClientId('events-giveup'),
      // Gives up after two failed attempts, within a second of the broker's stop.
      reconnect: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 100 },
    });
    const errors: unknown[] = [];
    try {
      const listener = eventListener(c, { channel: uniqueChannel('ev.giveup'), onError: (err) => void errors.push(err) }, () => undefined);
      await listener.ready();
      await own.stop();
      await expect(listener.done).rejects.toMatchObject({ code: 'RECONNECT_FAILED' });
      expect(errors).toContainEqual(expect.objectContaining({ code: 'RECONNECT_FAILED' }));
    } finally {
      await c.close();
      await own[Symbol.asyncDispose]();
    }
  }, 60_000);
});
