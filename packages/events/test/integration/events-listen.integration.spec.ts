import type { KubemqClient } from '@kubemq/core';
import { eventually, probeUntil, sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { eventListener, events, isEventsReadinessProbe, EVENTS_READINESS_PROBE_TAG, type EventListener, type EventReceive } from '../../src/index.js';
import { collect, connect, rawSubscribe } from './helpers.js';

const PROBE = 'probe';

/** A promise with its resolve function, to hold a handler open. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('events listen() and ready() (integration)', () => {
  let listenerClient: KubemqClient;
  let publisher: KubemqClient;

  beforeAll(async () => {
    listenerClient = await connect(sharedBroker().address, 'events-listen');
    publisher = await connect(sharedBroker().address, 'events-publish');
  });
  afterAll(async () => {
    await listenerClient?.close();
    await publisher?.close();
  });

  it('a listener proven ready receives the very next event, 20 times in a row (fresh listener and channel each time)', async () => {
    for (let round = 0; round < 20; round++) {
      const channel = uniqueChannel(`ev.listen.next${round}`);
      const received: EventReceive[] = [];
      const listener = eventListener(listenerClient, { channel }, (event) => void received.push(event));
      try {
        await listener.ready();
        const { id } = await events(publisher).send({ channel, body: `round ${round}` });
        await eventually(() => expect(received.map((e) => e.id)).toEqual([id]));
        expect(received[0]?.text()).toBe(`round ${round}`);
      } finally {
        await listener.stop();
      }
    }
  }, 120_000);

  it('in a group of 3 listeners, each one\'s ready() resolves, and the group shares the events', async () => {
    const channel = uniqueChannel('ev.listen.group');
    const inboxes: string[][] = [[], [], []];
    const members = inboxes.map((inbox) => eventListener(listenerClient, { channel, group: 'workers' }, (e) => void inbox.push(e.id)));
    try {
      await Promise.all(members.map((m) => m.ready()));
      expect(members.map((m) => m.group)).toEqual(['workers', 'workers', 'workers']);
      const ids = await Promise.all(Array.from({ length: 30 }, async (_, i) => (await events(publisher).send({ channel, body: `job ${i}` })).id));
      await eventually(() => expect(inboxes.flat().sort()).toEqual([...ids].sort()));
      expect(members.reduce((n, m) => n + m.stats.received, 0)).toBe(30);
    } finally {
      await Promise.all(members.map((m) => m.stop()));
    }
  }, 60_000);

  it('a listener joining a group of 50 proven members is proven within 4 s, and the group shares the events', async () => {
    // The broker hands each probe to one member at random. When each member waited for a probe of
    // its own, one at a time, the 50 members' ready() alone took longer than 15 s.
    const channel = uniqueChannel('ev.listen.biggroup');
    let received = 0;
    const members = Array.from({ length: 50 }, () => eventListener(listenerClient, { channel, group: 'crowd' }, () => void received++));
    let newcomer: EventListener | undefined;
    try {
      await Promise.all(members.map((m) => m.ready()));
      const newcomerIds: string[] = [];
      newcomer = eventListener(listenerClient, { channel, group: 'crowd' }, (e) => void newcomerIds.push(e.id));
      await newcomer.ready({ timeoutMs: 4_000 });
      const ids = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await events(publisher).send({ channel, body: `job ${i}` })).id));
      await eventually(() => expect(received + newcomerIds.length).toBe(20));
      expect(newcomerIds.every((id) => ids.includes(id))).toBe(true);
    } finally {
      await Promise.all([...members, ...(newcomer ? [newcomer] : [])].map((m) => m.stop()));
    }
  }, 120_000);

  it("a wildcard listener's ready() resolves; a subscriber of another channel sees no probe, one of the same pattern (another SDK) does", async () => {
    const base = uniqueChannel('ev.listen.wild');
    // Subscribers that see everything the broker sends (probes included), as another SDK would.
    const otherChannel = collect(rawSubscribe(publisher, `${base}.orders.eu`));
    const samePattern = collect(rawSubscribe(publisher, `${base}.orders.*`));
    const received: EventReceive[] = [];
    let listener: EventListener | undefined;
    try {
      await probeUntil(
        () => events(publisher).send({ channel: `${base}.orders.eu`, metadata: PROBE }),
        () => otherChannel.items.some((e) => e.metadata === PROBE) && samePattern.items.some((e) => e.metadata === PROBE),
        { timeoutMs: 15_000 },
      );
      // Opened only now: any event that reached it would prove it without a probe.
      listener = eventListener(listenerClient, { channel: `${base}.orders.*` }, (e) => void received.push(e));
      await listener.ready();
      await eventually(() => expect(samePattern.items.some(isEventsReadinessProbe)).toBe(true));
      const probe = samePattern.items.find(isEventsReadinessProbe);
      expect(probe?.channel).toMatch(new RegExp(`^${base.replace(/\./g, '\\.')}\\.orders\\._probe_`));
      expect(probe?.tags[EVENTS_READINESS_PROBE_TAG]).toBeTruthy();
      // A last event on the other channel: everything published before it has had its chance.
      const end = await events(publisher).send({ channel: `${base}.orders.eu`, body: 'end' });
      await eventually(() => expect(otherChannel.items.some((e) => e.id === end.id)).toBe(true));
      expect(otherChannel.items.filter(isEventsReadinessProbe)).toEqual([]);
      await eventually(() => expect(received.some((e) => e.id === end.id)).toBe(true));
      expect(received.filter(isEventsReadinessProbe)).toEqual([]);
    } finally {
      await listener?.stop();
      otherChannel.sub.unsubscribe();
      samePattern.sub.unsubscribe();
    }
  });

  it('probes never reach handlers or subscribe(), though other listeners on the channel probe', async () => {
    const channel = uniqueChannel('ev.listen.noprobe');
    const handled: EventReceive[] = [];
    const subscribed = collect(events(listenerClient).subscribe({ channel }));
    const listener = eventListener(listenerClient, { channel }, (e) => void handled.push(e));
    const others: EventListener[] = [];
    try {
      await listener.ready();
      await probeUntil(() => events(publisher).send({ channel, metadata: PROBE }), () => subscribed.items.some((e) => e.metadata === PROBE), { timeoutMs: 15_000 });
      // Three more listeners prove themselves on the same channel: their probes reach everyone there.
      for (let i = 0; i < 3; i++) others.push(eventListener(publisher, { channel }, () => undefined));
      await Promise.all(others.map((o) => o.ready()));
      const end = await events(publisher).send({ channel, body: 'end' });
      await eventually(() => {
        expect(handled.some((e) => e.id === end.id)).toBe(true);
        expect(subscribed.items.some((e) => e.id === end.id)).toBe(true);
      });
      expect(handled.filter(isEventsReadinessProbe)).toEqual([]);
      expect(subscribed.items.filter(isEventsReadinessProbe)).toEqual([]);
      expect(handled.every((e) => e.metadata === PROBE || e.id === end.id)).toBe(true);
    } finally {
      await Promise.all([listener, ...others].map((l) => l.stop()));
      subscribed.sub.unsubscribe();
    }
  });

  it('stop() lets the running handler finish, then resolves; done resolves', async () => {
    const channel = uniqueChannel('ev.listen.stop');
    const hold = gate();
    const started: string[] = [];
    const finished: string[] = [];
    const listener = eventListener(listenerClient, { channel }, async (e) => {
      started.push(e.id);
      await hold.promise;
      finished.push(e.id);
    });
    await listener.ready();
    const { id } = await events(publisher).send({ channel, body: 'slow work' });
    await eventually(() => expect(started).toEqual([id]));
    let stopped = false;
    const stopping = listener.stop().then(() => (stopped = true));
    // The handler still runs: stop() waits for it.
    await Promise.resolve();
    expect(stopped).toBe(false);
    expect(listener.stats.running).toBe(1);
    hold.open();
    await stopping;
    await listener.done;
    expect(finished).toEqual([id]);
    expect(listener.stats).toMatchObject({ running: 0, handled: 1 });
    await expect(listener.ready()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('stats count events, handled ones and handler errors (reported to onError with the event)', async () => {
    const channel = uniqueChannel('ev.listen.stats');
    const errors: [unknown, string | undefined][] = [];
    const listener = eventListener(listenerClient, 
      { channel, concurrency: 2, onError: (err, event) => void errors.push([err, event?.id]) },
      (e) => {
        if (e.text().startsWith('bad')) throw new Error(`refused ${e.text()}`);
      },
    );
    try {
      await listener.ready();
      const sent = [];
      for (const body of ['ok 1', 'bad 1', 'ok 2', 'bad 2', 'ok 3']) sent.push((await events(publisher).send({ channel, body })).id);
      await eventually(() => expect(listener.stats).toMatchObject({ received: 5, handled: 3, handlerErrors: 2, dropped: 0, running: 0, waiting: 0 }));
      expect(errors.map(([err, id]) => [(err as Error).message, id])).toEqual([
        ['refused bad 1', sent[1]],
        ['refused bad 2', sent[3]],
      ]);
    } finally {
      await listener.stop();
    }
  });

  it('closing the client stops its listeners: done resolves', async () => {
    const own = await connect(sharedBroker().address, 'events-listen-close');
    const listener = eventListener(own, { channel: uniqueChannel('ev.listen.close') }, () => undefined);
    await listener.ready();
    await own.close();
    await expect(listener.done).resolves.toBeUndefined();
  });
});
