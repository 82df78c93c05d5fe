import type { KubemqClient } from '@kubemq/core';
import { eventsStore, eventStoreStream, StartPosition, type EventStoreReceive } from '../../src/index.js';
import { expectedCapabilities, startKubemq, type KubemqBroker } from '@kubemq/testing';
import { eventually, itWhen, uniqueChannel } from '@kubemq/testing/jest';
import { startTcpProxy } from '@kubemq/test-fakes';
import { collect, connect } from './helpers.js';

const TOTAL = 2000;

/**
 * How long before a kill -9 an acknowledged event may still be lost: the broker answers Sent:true
 * before its store has the event (docs/broker-behaviour.md §2.2) and writes it within milliseconds;
 * 100 ms leaves room for a busy machine. A graceful stop loses nothing acknowledged.
 */
const ACK_BEFORE_PERSIST_MS = 100;

/**
 * Sends `TOTAL` events one after another (a few in flight), retrying each one that fails while the
 * broker is away, and runs `disrupt` once half of them are acknowledged. Returns when each body's
 * Sent:true came (Date.now()).
 */
async function sendThrough(client: KubemqClient, channel: string, disrupt: () => Promise<void>): Promise<Map<string, number>> {
  const store = eventsStore(client);
  const ackedAt = new Map<string, number>();
  let disruption: Promise<void> | undefined;
  const sendOne = async (i: number) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await store.send({ channel, body: `event ${i}`, id: `ev-${i}-${attempt}` }, { timeoutMs: 5_000 });
        ackedAt.set(`event ${i}`, Date.now());
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
  return ackedAt;
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

  /**
   * The broker holds every acknowledged event except those `mayBeLost` allows, under gap-free
   * sequences, and the subscriber got every sequence the broker holds, exactly once, in order.
   */
  async function expectEverySequenceOnce(
    c: KubemqClient,
    channel: string,
    live: EventStoreReceive[],
    ackedAt: Map<string, number>,
    mayBeLost: (ackedAtMs: number) => boolean,
  ): Promise<void> {
    // What the broker holds, read back by a fresh subscriber from the start.
    const end = await eventsStore(c).send({ channel, body: 'end', id: 'the-end' });
    expect(end.sent).toBe(true);
    const fresh = collect(eventsStore(c).subscribe({ channel, startAt: StartPosition.fromFirst() }));
    try {
      await eventually(() => expect(fresh.items.some((e) => e.id === 'the-end')).toBe(true), { timeoutMs: 30_000 });
      const held = fresh.items.map((e) => e.sequence);
      expect(held).toEqual(Array.from({ length: held.length }, (_, i) => i + 1));
      expect(ackedAt.size).toBe(TOTAL);
      const stored = new Set(fresh.items.map((e) => e.text()));
      const lost = [...ackedAt].filter(([body, at]) => !stored.has(body) && !mayBeLost(at)).map(([body]) => body);
      expect(lost).toEqual([]);
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
    let signalledAt = Infinity;
    try {
      const ackedAt = await sendThrough(c, channel, async () => {
        signalledAt = Date.now();
        await (broker as KubemqBroker)[down]();
        await (broker as KubemqBroker).restart();
      });
      // kill -9 may lose what was acknowledged just before it; a graceful stop nothing
      const mayBeLost = (at: number) => down === 'kill' && at >= signalledAt - ACK_BEFORE_PERSIST_MS;
      await expectEverySequenceOnce(c, channel, live.items, ackedAt, mayBeLost);
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
    const live = collect(eventsStore(c).subscribe({ channel, startAt: StartPosition.fromFirst() }));
    try {
      expect((await handle.send({ channel, body: 'before' })).sent).toBe(true);
      // Sent:true comes before the store has the event (a kill right after it may lose it); once a
      // subscriber has it, it is stored
      await eventually(() => expect(live.items.map((e) => e.text())).toContain('before'));
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
      live.sub.unsubscribe();
      await handle.close();
    }
  }, 120_000);

  itWhen('kill', expectedCapabilities())(
    `kill -9 + restart in the middle of ${TOTAL} events: no gap, no repeat`,
    () => outageMidStream('es.kill', 'kill'),
    180_000,
  );
  itWhen('cleanRestart', expectedCapabilities())(
    'a broker back with an empty store: the subscription reads the channel again, and every event stored since reaches it once, in order',
    async () => {
      const c = client as KubemqClient;
      const channel = uniqueChannel('es.wiped');
      const live = collect(eventsStore(c).subscribe({ channel, startAt: StartPosition.fromFirst() }));
      try {
        for (let i = 0; i < 5; i++) await eventsStore(c).send({ channel, body: `before ${i}` });
        await eventually(() => expect(live.items.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]), { timeoutMs: 30_000 });
        await (broker as KubemqBroker).restart({ cleanStore: true });
        // The channel's numbering starts over at 1. Send until the subscriber has one of them (it
        // re-opens at sequence 6 and hears of the reset only from the first new event).
        const attempted: string[] = [];
        const confirmed: string[] = [];
        const after = () => live.items.filter((e) => e.text().startsWith('after'));
        await eventually(
          async () => {
            const body = `after ${attempted.length}`;
            attempted.push(body); // a send cut off by the reconnect may still be stored
            await eventsStore(c).send({ channel, body }, { timeoutMs: 2_000 });
            confirmed.push(body);
            expect(after().length).toBeGreaterThan(0);
          },
          { timeoutMs: 30_000, intervalMs: 200 },
        );
        await eventually(() => expect(after().map((e) => e.text())).toEqual(expect.arrayContaining(confirmed)), { timeoutMs: 30_000 });
        const got = after().map((e) => e.text());
        expect(got).toEqual(attempted.filter((body) => got.includes(body))); // in order, none twice
        expect(after().map((e) => e.sequence)).toEqual(got.map((_, i) => i + 1)); // the whole new store
        expect(live.errors).toEqual([]);
      } finally {
        live.sub.unsubscribe();
      }
    },
    120_000,
  );

  itWhen('cleanRestart', expectedCapabilities())(
    'a group member that re-subscribes to a broker back with an empty store gets the events the new store already held',
    async () => {
      const b = broker as KubemqBroker;
      const channel = uniqueChannel('es.group-wiped');
      // The member reaches the broker through a proxy, so the test decides when it comes back.
      const proxy = await startTcpProxy(b.address);
      const member = await connect(proxy.address, 'es-group-member');
      const live = collect(eventsStore(member).subscribe({ channel, group: 'g', startAt: StartPosition.fromFirst() }));
      const states: string[] = [];
      const watch = member.state$.subscribe((s) => states.push(s));
      let sender: KubemqClient | undefined;
      try {
        for (let i = 0; i < 5; i++) await eventsStore(client as KubemqClient).send({ channel, body: `before ${i}` });
        await eventually(() => expect(live.items.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]), { timeoutMs: 30_000 });
        proxy.pause();
        await proxy.dropAll();
        await b.restart({ cleanStore: true });
        // The new store holds 3 events (sequences 1..3) before the member subscribes again. A re-open
        // at its last sequence + 1 (6) would start the new group after them: they would never reach it.
        sender = await connect(b.address, 'es-group-sender');
        for (let i = 0; i < 3; i++) expect((await eventsStore(sender).send({ channel, body: `after ${i}` })).sent).toBe(true);
        const stored = collect(eventsStore(sender).subscribe({ channel, startAt: StartPosition.fromFirst() }));
        try {
          await eventually(() => expect(stored.items.map((e) => e.sequence)).toEqual([1, 2, 3]), { timeoutMs: 30_000 });
        } finally {
          stored.sub.unsubscribe();
        }
        expect(live.items).toHaveLength(5); // still cut off
        proxy.resume();
        await eventually(() => expect(live.items.slice(5).map((e) => e.text())).toEqual(['after 0', 'after 1', 'after 2']), { timeoutMs: 30_000 });
        expect(live.items.slice(5).map((e) => e.sequence)).toEqual([1, 2, 3]);
        expect(live.errors).toEqual([]);
        expect(states).toContain('reconnecting');
      } finally {
        watch.unsubscribe();
        live.sub.unsubscribe();
        await sender?.close();
        await member.close();
        await proxy.close();
      }
    },
    120_000,
  );
});
