import type { KubemqClient } from '@kubemq/core';
import { eventsStore, eventStoreStream, StartPosition, type EventStoreReceive } from '../../src/index.js';
import { expectedCapabilities, startKubemq, type KubemqBroker } from '@kubemq/testing';
import { eventually, itWhen, uniqueChannel } from '@kubemq/testing/jest';
import { collect, connect } from './helpers.js';

const TOTAL = 2000;

/**
 * Sends `TOTAL` events one after another (a few in flight), retrying each one that fails while the
 * broker is away, and runs `disrupt` once half of them are stored.
 */
async function sendThrough(client: KubemqClient, channel: string, disrupt: () => Promise<void>): Promise<void> {
  const store = eventsStore(client);
  let disruption: Promise<void> | undefined;
  const sendOne = async (i: number) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await store.send({ channel, body: `event ${i}`, id: `ev-${i}-${attempt}` }, { timeoutMs: 5_000 });
        return;
      } catch (err) {
        if (attempt > 200) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100)); // back off while the broker is down
      }
    }
  };
  const WINDOW = 20;
  for (let i = 0; i < TOTAL; i += WINDOW) {
    if (i >= TOTAL / 2 && !disruption) disruption = disrupt();
    await Promise.all(Array.from({ length: Math.min(WINDOW, TOTAL - i) }, (_, k) => sendOne(i + k)));
  }
  await disruption;
}

describe('events store across a broker restart mid-stream (own broker)', () => {
  let broker: KubemqBroker | undefined;
  let client: KubemqClient | undefined;

  beforeAll(async () => {
    if (!expectedCapabilities().restart) return;
    broker = await startKubemq();
    client = await connect(broker.address, 'es-restart');
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await broker?.[Symbol.asyncDispose]();
  });

  /** The subscriber got every sequence the broker holds, exactly once, in order, no gap. */
  async function expectEverySequenceOnce(c: KubemqClient, channel: string, live: EventStoreReceive[]): Promise<void> {
    // What the broker holds, read back by a fresh subscriber from the start.
    const end = await eventsStore(c).send({ channel, body: 'end', id: 'the-end' });
    expect(end.sent).toBe(true);
    const fresh = collect(eventsStore(c).subscribe({ channel, startAt: StartPosition.fromFirst() }));
    try {
      await eventually(() => expect(fresh.items.some((e) => e.id === 'the-end')).toBe(true), { timeoutMs: 30_000 });
      const held = fresh.items.map((e) => e.sequence);
      expect(held).toEqual(Array.from({ length: held.length }, (_, i) => i + 1));
      expect(held.length).toBeGreaterThanOrEqual(TOTAL + 1);
      await eventually(() => expect(live.some((e) => e.id === 'the-end')).toBe(true), { timeoutMs: 30_000 });
      expect(live.map((e) => e.sequence)).toEqual(held);
      expect(live.map((e) => e.id)).toEqual(fresh.items.map((e) => e.id));
    } finally {
      fresh.sub.unsubscribe();
    }
  }

  /** Sends TOTAL events while the broker goes down (`stop` or `kill`) and comes back; the live
   *  subscriber must end with every stored sequence once, and the client must have reconnected. */
  async function outageMidStream(prefix: string, down: 'stop' | 'kill'): Promise<void> {
    const c = client as KubemqClient;
    const channel = uniqueChannel(prefix);
    const live = collect(eventsStore(c).subscribe({ channel, startAt: StartPosition.fromFirst() }));
    const states: string[] = [];
    const watch = c.state$.subscribe((s) => states.push(s));
    try {
      await sendThrough(c, channel, async () => {
        await (broker as KubemqBroker)[down]();
        await (broker as KubemqBroker).restart();
      });
      await expectEverySequenceOnce(c, channel, live.items);
      expect(live.errors).toEqual([]);
      // the broker really went away mid-stream and the client came back
      expect(states).toContain('reconnecting');
      expect(states[states.length - 1]).toBe('ready');
    } finally {
      watch.unsubscribe();
      live.sub.unsubscribe();
    }
  }

  itWhen('restart', expectedCapabilities())(
    `graceful stop + restart in the middle of ${TOTAL} events: no gap, no repeat`,
    () => outageMidStream('es.restart', 'stop'),
    180_000,
  );

  itWhen('kill', expectedCapabilities())('a stream handle opened before kill -9 stores again after the restart', async () => {
    const c = client as KubemqClient;
    const channel = uniqueChannel('es.handle-kill');
    const handle = eventStoreStream(c);
    try {
      expect((await handle.send({ channel, body: 'before' })).sent).toBe(true);
      await (broker as KubemqBroker).kill();
      await (broker as KubemqBroker).restart();
      // the handle's stream died with the broker; a send after the client reconnected opens a new one
      const after = await eventually(() => handle.send({ channel, body: 'after' }, { timeoutMs: 2_000 }), {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      expect(after.sent).toBe(true);
      const all = collect(eventsStore(c).subscribe({ channel, startAt: StartPosition.fromFirst() }));
      try {
        await eventually(() => expect(all.items.map((e) => e.text())).toContain('after'));
        expect(all.items[0]!.text()).toBe('before');
      } finally {
        all.sub.unsubscribe();
      }
    } finally {
      await handle.close();
    }
  }, 120_000);

  itWhen('kill', expectedCapabilities())(
    `kill -9 + restart in the middle of ${TOTAL} events: no gap, no repeat`,
    () => outageMidStream('es.kill', 'kill'),
    180_000,
  );
});
