// The listener's logic against a fake transport: a "broker" that routes published events to the
// open subscription streams once it has registered them, so readiness, probes, concurrency and
// shutdown are tested step by step without a network.
import { KubemqError, TimeoutError } from '@kubemq/core';
import { brokerError, type Event as WireEvent, type EventReceive as WireEventReceive, type Subscribe } from '@kubemq/core/internal';
import { EventsListener } from '../../src/internal/listen/listener.js';
import type { ListenOptions } from '../../src/internal/listen/listen-types.js';
import type { EventReceive } from '../../src/internal/types.js';
import { EVENTS_READINESS_PROBE_TAG } from '../../src/internal/readiness/probe-tags.js';
import { fakeInternals, settle, type FakeInternals, type FakeServerStream } from './fake-internals.js';

/** A token-level match of the broker's wildcards (`*` one token, `>` the rest). */
function matches(pattern: string, channel: string): boolean {
  const p = pattern.split('.');
  const c = channel.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return c.length > i;
    if (i >= c.length || (p[i] !== '*' && p[i] !== c[i])) return false;
  }
  return p.length === c.length;
}

const toWire = (event: WireEvent): WireEventReceive => ({
  EventID: event.EventID,
  Channel: event.Channel,
  Metadata: event.Metadata,
  Body: event.Body,
  Timestamp: 0n,
  Sequence: 0n,
  Tags: event.Tags,
});

/** The broker's routing: streams it has registered get what is published to a channel they match. */
function fakeBroker(internals: FakeInternals) {
  const registered = new Set<FakeServerStream>();
  const published: WireEvent[] = [];
  const open = () => internals.streams.filter((s) => !s.cancelled);
  return {
    published,
    registerAll: () => open().forEach((s) => registered.add(s)),
    publish: async (event: WireEvent) => {
      published.push(event);
      const byGroup = new Map<string, FakeServerStream[]>();
      for (const stream of open().filter((s) => registered.has(s))) {
        const request = stream.request as Subscribe;
        if (!matches(request.Channel, event.Channel)) continue;
        if (request.Group === '') stream.observer.next(toWire(event));
        else byGroup.set(request.Group, [...(byGroup.get(request.Group) ?? []), stream]);
      }
      // A group: one member, picked at random (as a NATS queue group does).
      for (const members of byGroup.values()) members[Math.floor(Math.random() * members.length)]!.observer.next(toWire(event));
    },
  };
}

const event = (id: string, channel = 'orders'): WireEvent => ({
  EventID: id,
  ClientID: 'sender',
  Channel: channel,
  Metadata: '',
  Body: Buffer.from(id),
  Store: false,
  Tags: {},
});

function setup(options: Partial<ListenOptions> = {}, handler: (e: EventReceive) => unknown = () => undefined) {
  const internals = fakeInternals();
  const broker = fakeBroker(internals);
  const listener = new EventsListener(internals, { channel: 'orders', ...options }, handler, {
    publish: (wire) => broker.publish(wire),
    deliver: (e) => e,
  });
  return { internals, broker, listener };
}

/** A promise with its resolve function, to hold a handler open. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('EventsListener (fake transport)', () => {
  it('hands events to the handler and never a probe, its own or another listener\'s', async () => {
    const seen: string[] = [];
    const { internals, broker, listener } = setup({}, (e) => void seen.push(e.id));
    await settle();
    broker.registerAll();
    await broker.publish(event('a'));
    await broker.publish({ ...event('p1'), Tags: { [EVENTS_READINESS_PROBE_TAG]: 'another-listener' } });
    await listener.ready({ timeoutMs: 5_000 });
    await broker.publish(event('b'));
    await settle();
    expect(seen).toEqual(['a', 'b']);
    expect(listener.stats).toMatchObject({ received: 2, handled: 2, handlerErrors: 0, running: 0, waiting: 0 });
    await listener.stop();
    expect(internals.streams[0]!.cancelled).toBe(true);
  });

  it('ready() probes until the broker registered the subscription, then resolves at once until something changes', async () => {
    const { broker, listener } = setup();
    await settle();
    const ready = listener.ready({ timeoutMs: 5_000 });
    // Probes go out, but the broker has not registered the stream yet: nothing arrives.
    while (broker.published.length < 2) await settle();
    broker.registerAll();
    await ready;
    const probes = broker.published.length;
    expect(broker.published.every((p) => p.Channel === 'orders' && p.Tags[EVENTS_READINESS_PROBE_TAG] !== undefined && p.Metadata !== '')).toBe(true);
    await listener.ready();
    expect(broker.published).toHaveLength(probes);
    await listener.stop();
  });

  it('a wildcard listener probes a concrete channel its pattern matches', async () => {
    const { broker, listener } = setup({ channel: 'orders.*' });
    await settle();
    broker.registerAll();
    await listener.ready({ timeoutMs: 5_000 });
    const channels = new Set(broker.published.map((p) => p.Channel));
    expect(channels.size).toBe(1);
    const [channel] = channels;
    expect(channel).toMatch(/^orders\._probe_\S+$/);
    expect(matches('orders.*', channel!)).toBe(true);
    await listener.stop();
  });

  it('any event through the stream proves it: a user event before ready() leaves no probe to send', async () => {
    const { broker, listener } = setup();
    await settle();
    broker.registerAll();
    await broker.publish(event('a'));
    await listener.ready({ timeoutMs: 5_000 });
    expect(broker.published.map((p) => p.EventID)).toEqual(['a']);
    await listener.stop();
  });

  it('a member joining a proven group of 40 is proven', async () => {
    const internals = fakeInternals();
    const broker = fakeBroker(internals);
    const member = () => new EventsListener(internals, { channel: 'orders', group: 'g' }, () => undefined, { publish: (wire) => broker.publish(wire), deliver: (e) => e });
    const crowd = Array.from({ length: 40 }, member);
    await settle();
    broker.registerAll();
    await Promise.all(crowd.map((m) => m.ready({ timeoutMs: 10_000 })));
    const newcomer = member();
    await settle();
    broker.registerAll();
    await newcomer.ready({ timeoutMs: 10_000 });
    await Promise.all([...crowd, newcomer].map((m) => m.stop()));
  });

  it('a group member that is never reached sends rounds of 1, 2, 4, … up to 32 probes', async () => {
    const internals = fakeInternals();
    const broker = fakeBroker(internals);
    const lonely = new EventsListener(internals, { channel: 'orders', group: 'g' }, () => undefined, { publish: (wire) => broker.publish(wire), deliver: (e) => e });
    await settle();
    // Never registered: every probe is lost. Waits are at most 375 ms, so 3 s hold 8 rounds or
    // more: at least 127 probes (1 + 2 + … + 32 + 32 + 32), where one probe a round sends at most 60.
    await expect(lonely.ready({ timeoutMs: 3_000 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(broker.published.length).toBeGreaterThan(100);
    await lonely.stop();
  });

  it('in a group, each member is proven by a probe reaching it, its own or another member\'s', async () => {
    const internals = fakeInternals();
    const broker = fakeBroker(internals);
    const seen: string[][] = [[], [], []];
    const members = seen.map((inbox) =>
      new EventsListener(internals, { channel: 'orders', group: 'g' }, (e) => void inbox.push(e.id), {
        publish: (wire) => broker.publish(wire),
        deliver: (e) => e,
      }),
    );
    await settle();
    broker.registerAll();
    await Promise.all(members.map((m) => m.ready({ timeoutMs: 10_000 })));
    expect(seen.flat()).toEqual([]);
    await Promise.all(members.map((m) => m.stop()));
  });

  it('after a break, or a reconnect, the proof is gone and ready() probes the new stream', async () => {
    const { internals, broker, listener } = setup();
    await settle();
    broker.registerAll();
    await listener.ready({ timeoutMs: 5_000 });
    const before = broker.published.length;
    internals.streams[0]!.observer.error(new KubemqError({ code: 'UNAVAILABLE', message: 'gone', operation: 'x', retryable: true }));
    const again = listener.ready({ timeoutMs: 5_000 });
    while (internals.streams.length < 2) await settle();
    broker.registerAll();
    await again;
    expect(broker.published.length).toBeGreaterThan(before);
    expect(listener.stats.recoveries).toBe(1);

    const proven = broker.published.length;
    internals.reconnected();
    await listener.ready({ timeoutMs: 5_000 });
    expect(broker.published.length).toBeGreaterThan(proven);
    await listener.stop();
  });

  it('ready() rejects with a TimeoutError when no probe arrives, CANCELLED on abort, CLOSED once stopped', async () => {
    const { listener } = setup();
    await settle();
    const timedOut = await listener.ready({ timeoutMs: 150 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(TimeoutError);
    expect(timedOut).toMatchObject({ code: 'TIMEOUT', timeoutMs: 150, channel: 'orders', operation: 'events.ready' });
    await expect(listener.ready({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
    const pending = listener.ready({ timeoutMs: 60_000 });
    await listener.stop();
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(listener.ready()).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(listener.ready({ timeoutMs: 0 })).rejects.toMatchObject({ name: 'ValidationError', field: 'timeoutMs' });
  });

  it("a probe that fails because the listener is stopping (the client's close) makes ready() reject with the listener's own CLOSED, naming events.ready", async () => {
    const internals = fakeInternals();
    let failProbe!: (err: unknown) => void;
    const listener = new EventsListener(internals, { channel: 'orders' }, () => undefined, {
      publish: () => new Promise((_, reject) => (failProbe = reject)),
      deliver: (e) => e,
    });
    await settle();
    const pending = listener.ready({ timeoutMs: 60_000 }).catch((e: unknown) => e);
    await settle();
    const stopped = listener.stop();
    failProbe(new KubemqError({ code: 'CLOSED', message: 'events.send: the send stream is closed', operation: 'events.send' }));
    expect(await pending).toMatchObject({ code: 'CLOSED', operation: 'events.ready', channel: 'orders' });
    await stopped;
  });

  it('runs one handler at a time by default, in order; `concurrency` runs more', async () => {
    for (const concurrency of [1, 3]) {
      let running = 0;
      let most = 0;
      const order: string[] = [];
      const gates = new Map<string, ReturnType<typeof gate>>();
      const { broker, listener } = setup(concurrency === 1 ? {} : { concurrency }, async (e) => {
        order.push(e.id);
        most = Math.max(most, ++running);
        const g = gate();
        gates.set(e.id, g);
        await g.promise;
        running--;
      });
      await settle();
      broker.registerAll();
      for (const id of ['1', '2', '3', '4', '5']) await broker.publish(event(id));
      await settle();
      expect(listener.stats).toMatchObject({ running: concurrency, waiting: 5 - concurrency });
      for (const id of ['1', '2', '3', '4', '5']) {
        while (!gates.has(id)) await settle();
        gates.get(id)!.open();
      }
      await listener.stop();
      expect(order).toEqual(['1', '2', '3', '4', '5']);
      expect(most).toBe(concurrency);
    }
  });

  it('a throwing handler is reported to onError with its event, and the listener goes on', async () => {
    const errors: [unknown, EventReceive | undefined][] = [];
    const { broker, listener } = setup({ onError: (err, e) => void errors.push([err, e]) }, (e) => {
      if (e.id === 'bad') throw new Error('cannot handle');
    });
    await settle();
    broker.registerAll();
    await broker.publish(event('bad'));
    await broker.publish(event('good'));
    await settle();
    expect(errors).toHaveLength(1);
    expect((errors[0]![0] as Error).message).toBe('cannot handle');
    expect(errors[0]![1]?.id).toBe('bad');
    expect(listener.stats).toMatchObject({ received: 2, handled: 1, handlerErrors: 1 });
    await listener.stop();
  });

  it('without onError, failures are logged as warnings through the client logger', async () => {
    const { internals, broker, listener } = setup({}, () => Promise.reject(new Error('boom')));
    await settle();
    broker.registerAll();
    await broker.publish(event('x'));
    await settle();
    expect(internals.warnings.map((w) => w[0])).toEqual(['events.listen on "orders": boom']);
    // Structured like the SDK's other warnings: the channel as a field, not only in the text.
    expect(internals.warnings[0]?.[1]).toEqual({ channel: 'orders', eventId: 'x' });
    await listener.stop();
  });

  it('past bufferSize waiting events, one more is dropped and reported as BUFFER_FULL', async () => {
    const hold = gate();
    const errors: unknown[] = [];
    const { broker, listener } = setup({ bufferSize: 2, onError: (err) => void errors.push(err) }, () => hold.promise);
    await settle();
    broker.registerAll();
    for (const id of ['1', '2', '3', '4']) await broker.publish(event(id));
    expect(listener.stats).toMatchObject({ received: 4, running: 1, waiting: 2, dropped: 1 });
    expect(errors).toEqual([expect.objectContaining({ code: 'BUFFER_FULL', channel: 'orders' })]);
    hold.open();
    await listener.stop();
    expect(listener.stats).toMatchObject({ handled: 3, dropped: 1 });
  });

  it('stop() takes no new events, lets the running handler finish and the waiting ones run, then done resolves', async () => {
    const hold = gate();
    const handled: string[] = [];
    const { internals, broker, listener } = setup({}, async (e) => {
      if (e.id === '1') await hold.promise;
      handled.push(e.id);
    });
    await settle();
    broker.registerAll();
    await broker.publish(event('1'));
    await broker.publish(event('2'));
    let stopped = false;
    const stopping = listener.stop().then(() => (stopped = true));
    expect(listener.stop()).toBe(listener.stop());
    expect(internals.streams[0]!.cancelled).toBe(true);
    await settle();
    expect(stopped).toBe(false);
    hold.open();
    await stopping;
    await listener.done;
    expect(handled).toEqual(['1', '2']);
    expect(internals.tracked.size).toBe(0);
  });

  it('the client\'s close() drains it, and aborting `signal` stops it', async () => {
    const { internals, listener } = setup();
    await settle();
    expect(internals.tracked.size).toBe(1);
    await Promise.all([...internals.tracked].map((t) => t.drain()));
    await listener.done;

    const ac = new AbortController();
    const second = setup({ signal: ac.signal });
    ac.abort();
    await second.listener.done;
    expect(second.internals.streams.every((s) => s.cancelled)).toBe(true);
  });

  it('an error it cannot recover from is reported, and done rejects with it once the handlers in hand finished', async () => {
    const hold = gate();
    const errors: unknown[] = [];
    const { internals, broker, listener } = setup({ onError: (err) => void errors.push(err) }, () => hold.promise);
    await settle();
    broker.registerAll();
    await broker.publish(event('1'));
    internals.streams[0]!.observer.error(brokerError('Error 102: invalid channel value, cannot be empty', { operation: 'events.listen' }));
    let settled = false;
    listener.done.then(
      () => (settled = true),
      () => (settled = true),
    );
    await settle();
    expect(settled).toBe(false);
    hold.open();
    await expect(listener.done).rejects.toMatchObject({ code: 'VALIDATION', brokerCode: 102 });
    expect(errors).toEqual([expect.objectContaining({ brokerCode: 102 })]);
    await expect(listener.stop()).resolves.toBeUndefined();
    await expect(listener.ready()).rejects.toMatchObject({ brokerCode: 102 });
  });

  it.each<[string, Partial<ListenOptions>, unknown, string]>([
    ['a handler that is not a function', {}, 'nope', 'handler'],
    ['concurrency 0', { concurrency: 0 }, () => undefined, 'concurrency'],
    ['an onError that is not a function', { onError: 'x' as never }, () => undefined, 'onError'],
    ['a signal that is not an AbortSignal', { signal: {} as never }, () => undefined, 'signal'],
    ['a wildcard in the wrong place', { channel: 'a.>.b' }, () => undefined, 'channel'],
    ['bufferSize 0', { bufferSize: 0 }, () => undefined, 'bufferSize'],
  ])('rejects %s with a ValidationError naming it, opening nothing', (_name, options, handler, field) => {
    const internals = fakeInternals();
    expect(
      () => new EventsListener(internals, { channel: 'orders', ...options }, handler as never, { publish: async () => undefined, deliver: (e) => e }),
    ).toThrow(expect.objectContaining({ name: 'ValidationError', field, operation: 'events.listen' }));
    expect(internals.serverStreamCalls).toBe(0);
    expect(internals.tracked.size).toBe(0);
  });
});
