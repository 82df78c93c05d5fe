import type { KubemqClient } from '@kubemq/core';
import { clientInternals } from '@kubemq/core/internal';
import { events, type EventReceive } from '../../src/index.js';
import { startKubemq, type KubemqBroker } from '@kubemq/testing';
import { expectedCapabilities, itWhen, probeUntil, uniqueChannel } from '@kubemq/testing/jest';
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
});
