import type { KubemqClient } from '@kubemq/core';
import { clientInternals } from '@kubemq/core/internal';
import { eventListener, events, eventStream, type EventReceive } from '../../src/index.js';
import { eventually, probeUntil, sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { collect, connect } from './helpers.js';

const PROBE = 'probe';
const isProbe = (e: EventReceive) => e.metadata === PROBE;
const notProbe = (e: EventReceive) => !isProbe(e);

describe('events (integration)', () => {
  let client: KubemqClient;

  beforeAll(async () => {
    client = await connect(sharedBroker().address);
  });
  afterAll(async () => {
    await client?.close();
  });

  /** Publishes probes on `channel` until every one of `received` has seen one. */
  async function ready(channel: string, ...received: EventReceive[][]): Promise<void> {
    await probeUntil(
      () => events(client).send({ channel, metadata: PROBE }),
      () => received.every((items) => items.some(isProbe)),
      { timeoutMs: 15_000 },
    );
  }

  it('delivers what was sent: id, channel, body, metadata, tags', async () => {
    const channel = uniqueChannel('ev.roundtrip');
    const sub = collect(events(client).subscribe({ channel }));
    try {
      await ready(channel, sub.items);
      const result = await events(client).send({
        channel,
        id: 'my-id-1',
        body: 'héllo',
        metadata: 'meta',
        tags: { a: '1', b: 'two' },
      });
      expect(result).toEqual({ id: 'my-id-1', sent: true });
      const got = await eventually(() => {
        const e = sub.items.find((x) => x.id === 'my-id-1');
        if (!e) throw new Error('not yet');
        return e;
      });
      expect(got.channel).toBe(channel);
      expect(got.text()).toBe('héllo');
      expect(got.metadata).toBe('meta');
      expect(got.tags).toEqual({ a: '1', b: 'two' });
      const bin = await events(client).send({ channel, body: new Uint8Array([0, 255, 7]) });
      await eventually(() => expect([...(sub.items.find((x) => x.id === bin.id)?.body ?? [])]).toEqual([0, 255, 7]));
    } finally {
      sub.sub.unsubscribe();
    }
  });

  it('send() in unary mode gives the same result', async () => {
    const channel = uniqueChannel('ev.unary');
    const sub = collect(events(client).subscribe({ channel }));
    try {
      const unary = events(client, { sendMode: 'unary' });
      await probeUntil(() => unary.send({ channel, metadata: PROBE }), () => sub.items.some(isProbe));
      const r = await unary.send({ channel, body: 'x' });
      expect(r.sent).toBe(true);
      await eventually(() => expect(sub.items.some((e) => e.id === r.id)).toBe(true));
    } finally {
      sub.sub.unsubscribe();
    }
  });

  it('fans out every event to each of 3 subscribers', async () => {
    const channel = uniqueChannel('ev.fanout');
    const subs = [0, 1, 2].map(() => collect(events(client).subscribe({ channel })));
    try {
      await ready(channel, ...subs.map((s) => s.items));
      const ids: string[] = [];
      for (let i = 0; i < 50; i++) ids.push((await events(client).send({ channel, body: `m${i}` })).id);
      await eventually(() => {
        for (const s of subs) expect(s.items.filter(notProbe).map((e) => e.id)).toEqual(ids);
      });
    } finally {
      subs.forEach((s) => s.sub.unsubscribe());
    }
  });

  it('a group of 3 receives each of 300 events exactly once in total; another group and an ungrouped subscriber each get all', async () => {
    const channel = uniqueChannel('ev.group');
    const group = [0, 1, 2].map(() => collect(events(client).subscribe({ channel, group: 'workers' })));
    const other = collect(events(client).subscribe({ channel, group: 'auditors' }));
    const plain = collect(events(client).subscribe({ channel }));
    try {
      await ready(channel, ...group.map((s) => s.items), other.items, plain.items);
      const ids = new Set<string>();
      await Promise.all(
        Array.from({ length: 300 }, async (_, i) => ids.add((await events(client).send({ channel, body: `job ${i}` })).id)),
      );
      expect(ids.size).toBe(300);
      const groupIds = () => group.flatMap((s) => s.items.filter(notProbe).map((e) => e.id));
      await eventually(() => {
        expect(groupIds()).toHaveLength(300);
        expect(other.items.filter(notProbe)).toHaveLength(300);
        expect(plain.items.filter(notProbe)).toHaveLength(300);
      });
      expect(new Set(groupIds())).toEqual(ids);
      expect(new Set(other.items.filter(notProbe).map((e) => e.id))).toEqual(ids);
      expect(new Set(plain.items.filter(notProbe).map((e) => e.id))).toEqual(ids);
      // the load was actually shared: more than one member got work
      expect(group.filter((s) => s.items.some(notProbe)).length).toBeGreaterThan(1);
    } finally {
      [...group, other, plain].forEach((s) => s.sub.unsubscribe());
    }
  });

  it("wildcards: 'orders.*' matches one token, 'orders.>' one or more", async () => {
    const root = uniqueChannel('ev.wild');
    const star = collect(events(client).subscribe({ channel: `${root}.orders.*` }));
    const tail = collect(events(client).subscribe({ channel: `${root}.orders.>` }));
    try {
      // Readiness: a probe on a channel both patterns match.
      await probeUntil(
        () => events(client).send({ channel: `${root}.orders.probe`, metadata: PROBE }),
        () => star.items.some(isProbe) && tail.items.some(isProbe),
        { timeoutMs: 15_000 },
      );
      const channels = [`${root}.orders`, `${root}.orders.eu`, `${root}.orders.eu.paris`, `${root}.ordersx.eu`, `${root}.orders.us`, `${root}.other.eu`];
      for (const channel of channels) await events(client).send({ channel, body: channel });
      // Settle: a final event both see marks the end of what they could receive.
      await events(client).send({ channel: `${root}.orders.end`, body: 'end' });
      await eventually(() => {
        expect(star.items.some((e) => e.text() === 'end')).toBe(true);
        expect(tail.items.some((e) => e.text() === 'end')).toBe(true);
      });
      const seen = (s: typeof star) => s.items.filter(notProbe).map((e) => e.channel);
      expect(seen(star)).toEqual([`${root}.orders.eu`, `${root}.orders.us`, `${root}.orders.end`]);
      expect(seen(tail)).toEqual([`${root}.orders.eu`, `${root}.orders.eu.paris`, `${root}.orders.us`, `${root}.orders.end`]);
    } finally {
      star.sub.unsubscribe();
      tail.sub.unsubscribe();
    }
  });

  it('works with for await, and breaking out cancels the subscription', async () => {
    const channel = uniqueChannel('ev.iter');
    const received: string[] = [];
    const consumer = (async () => {
      for await (const e of events(client).subscribe({ channel })) {
        if (isProbe(e)) {
          received.push(PROBE);
          continue;
        }
        received.push(e.text());
        if (received.filter((x) => x !== PROBE).length === 3) break;
      }
    })();
    await probeUntil(() => events(client).send({ channel, metadata: PROBE }), () => received.includes(PROBE));
    for (const body of ['a', 'b', 'c']) await events(client).send({ channel, body });
    await consumer;
    expect(received.filter((x) => x !== PROBE)).toEqual(['a', 'b', 'c']);
  });

  it('a stream handle sends 10,000 events: every one is received, no failures', async () => {
    const channel = uniqueChannel('ev.stream');
    const sub = collect(events(client).subscribe({ channel }));
    const handle = eventStream(client);
    const failures: string[] = [];
    handle.failures.subscribe((f) => failures.push(f.id));
    const ids: string[] = [];
    try {
      await ready(channel, sub.items);
      for (let i = 0; i < 10_000; i++) {
        ids.push((await handle.send({ channel, body: String(i) })).id);
        // a checkpoint now and then lets the subscriber (same process) keep up: the broker drops
        // events for a subscriber that falls 100 behind for 2 s (docs/broker-behaviour.md §2.1)
        if (i % 1000 === 999) await handle.flush();
      }
      await handle.flush();
      expect(failures).toEqual([]);
      await eventually(() => expect(sub.items.filter(notProbe)).toHaveLength(10_000), { timeoutMs: 30_000 });
      const bodies = sub.items.filter(notProbe).map((e) => Number(e.text()));
      expect(bodies).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
      // send() resolved with each event's id: generated ones, as they arrived
      expect(sub.items.filter(notProbe).map((e) => e.id)).toEqual(ids);
      expect(new Set(ids).size).toBe(10_000);
    } finally {
      await handle.close();
      sub.sub.unsubscribe();
    }
  }, 120_000);

  it('10,000 concurrent send() calls all resolve through the shared stream', async () => {
    const channel = uniqueChannel('ev.many');
    const results = await Promise.all(Array.from({ length: 10_000 }, (_, i) => events(client).send({ channel, body: String(i) })));
    expect(results.every((r) => r.sent)).toBe(true);
    expect(new Set(results.map((r) => r.id)).size).toBe(10_000);
  }, 120_000);

  it('a stream handle resolves send() with the given id, its failures read with for await end on close(), and close() is idempotent', async () => {
    const channel = uniqueChannel('ev.stream.close');
    const sub = collect(events(client).subscribe({ channel }));
    const handle = eventStream(client, { maxQueued: 100 });
    const failures: string[] = [];
    const reading = (async () => {
      for await (const failure of handle.failures) failures.push(failure.id);
    })();
    try {
      await ready(channel, sub.items);
      await expect(handle.send({ channel, body: 'x', id: 'my-stream-id' })).resolves.toEqual({ id: 'my-stream-id' });
      await handle.flush();
      await eventually(() => expect(sub.items.some((e) => e.id === 'my-stream-id')).toBe(true));
      await handle.close({ timeoutMs: 5_000 });
      await handle.close();
      await reading;
      expect(failures).toEqual([]);
      await expect(handle.send({ channel, body: 'late' })).rejects.toMatchObject({ code: 'CLOSED' });
      await expect(handle.close({ timeoutMs: -1 })).rejects.toMatchObject({ name: 'ValidationError', field: 'timeoutMs' });
    } finally {
      await handle.close();
      sub.sub.unsubscribe();
    }
  });

  it('an event whose body fits but which is over maxMessageBytes encoded is refused alone; the sends beside it on the shared stream go through', async () => {
    const small = await connect(sharedBroker().address, 'events-max', { maxMessageBytes: 4096 });
    try {
      const channel = uniqueChannel('ev.max');
      const ev = events(small);
      const sends = Array.from({ length: 20 }, (_, i) =>
        i === 10 ? ev.send({ channel, body: new Uint8Array(4000), metadata: 'm'.repeat(200) }) : ev.send({ channel, body: `e${i}` }),
      );
      const outcomes = await Promise.allSettled(sends);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(19);
      expect(outcomes[10]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ code: 'VALIDATION', field: 'event' }) });
    } finally {
      await small.close();
    }
  });

  it('an event over 64 MiB is refused before sending, within the default 100 MiB maxMessageBytes: no subscriber could get it', async () => {
    const channel = uniqueChannel('ev.64mib');
    const body = new Uint8Array(64 * 1024 * 1024);
    for (const sendMode of ['stream', 'unary'] as const) {
      await expect(events(client, { sendMode }).send({ channel, body })).rejects.toMatchObject({
        code: 'VALIDATION',
        field: 'body',
        message: expect.stringContaining('broker can deliver') as string,
      });
    }
  });

  it('send() from many events clients on one client shares one send stream', async () => {
    const own = await connect(sharedBroker().address);
    try {
      const internals = clientInternals(own);
      const bidi = jest.spyOn(internals, 'bidiStream');
      const unary = jest.spyOn(internals, 'unary');
      const channel = uniqueChannel('ev.shared');
      await Promise.all(Array.from({ length: 20 }, (_, i) => events(own).send({ channel, body: `b${i}` })));
      await events(own).send({ channel, body: 'again' });
      expect(bidi).toHaveBeenCalledTimes(1);
      expect(unary).not.toHaveBeenCalled();
      // unary mode goes through SendEvent instead
      await events(own, { sendMode: 'unary' }).send({ channel, body: 'unary' });
      expect(unary).toHaveBeenCalledTimes(1);
      expect(bidi).toHaveBeenCalledTimes(1);
    } finally {
      await own.close();
    }
  });

  it("closing a client completes its subscriptions, which receive nothing sent afterwards", async () => {
    const channel = uniqueChannel('ev.closed');
    const closing = await connect(sharedBroker().address, 'events-closing');
    let completed = false;
    const gone: EventReceive[] = [];
    events(closing)
      .subscribe({ channel })
      .subscribe({ next: (e) => gone.push(e), complete: () => (completed = true) });
    const witness = collect(events(client).subscribe({ channel }));
    try {
      await ready(channel, gone, witness.items);
      await closing.close();
      expect(completed).toBe(true);
      const sent = await Promise.all(['a', 'b', 'c'].map(async (body) => (await events(client).send({ channel, body })).id));
      await eventually(() => expect(witness.items.filter(notProbe).map((e) => e.id)).toEqual(expect.arrayContaining(sent)));
      expect(gone.filter((e) => sent.includes(e.id))).toEqual([]);
    } finally {
      witness.sub.unsubscribe();
      await closing.close();
    }
  });

  it('subscribing on a client already closed fails with CLOSED, as every other call does, and a listener ends with it', async () => {
    const closed = await connect(sharedBroker().address, 'events-closed');
    await closed.close();
    const channel = uniqueChannel('ev.after-close');
    const loop = (async () => {
      for await (const _ of events(closed).subscribe({ channel })) break;
    })();
    await expect(loop).rejects.toMatchObject({ code: 'CLOSED', operation: 'events.subscribe', channel });
    const listener = eventListener(closed, { channel }, () => undefined);
    await expect(listener.done).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('a send() and a stream handle write made just before close() still go out: close() drains them, though no stream was open yet', async () => {
    const channel = uniqueChannel('ev.last-words');
    const witness = collect(events(client).subscribe({ channel }));
    const closing = await connect(sharedBroker().address, 'events-last-words');
    try {
      await ready(channel, witness.items);
      const sent = events(closing).send({ channel, body: 'last words' });
      const written = eventStream(closing).send({ channel, body: 'handle last words' });
      const closed = closing.close();
      // While close() waits for the handlers it drains (none here), a send still goes out.
      const during = events(closing).send({ channel, body: 'during the drain' });
      await closed;
      // Once the drain is over, a send is refused before anything is written.
      const late = events(closing).send({ channel, body: 'too late' });
      await expect(sent).resolves.toMatchObject({ sent: true });
      await expect(written).resolves.toMatchObject({ id: expect.any(String) });
      await expect(during).resolves.toMatchObject({ sent: true });
      await expect(late).rejects.toMatchObject({ code: 'CLOSED' });
      await eventually(() => expect(witness.items.filter(notProbe).map((e) => e.text()).sort()).toEqual(['during the drain', 'handle last words', 'last words']));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(witness.items.filter(notProbe).map((e) => e.text())).not.toContain('too late');
    } finally {
      witness.sub.unsubscribe();
      await closing.close();
    }
  });

  describe('bad input is rejected with a ValidationError naming the field, and nothing is sent', () => {
    // A client of its own, with no stream open yet: anything sent would have to open a call.
    let fresh: KubemqClient;
    beforeAll(async () => {
      fresh = await connect(sharedBroker().address);
    });
    afterAll(async () => {
      await fresh?.close();
    });
    const cases: [string, () => Promise<unknown>, string][] = [
      ['empty channel', () => events(fresh).send({ channel: '', body: 'x' }), 'channel'],
      // null is not "no options": a ValidationError, not a TypeError from reading a field of it.
      ['null send options', () => events(fresh).send({ channel: 'a', body: 'x' }, null as never), 'options'],
      ['null events options', async () => events(fresh, null as never), 'options'],
      ['null stream options', async () => eventStream(fresh, null as never), 'options'],
      ['null stream close options', () => eventStream(fresh).close(null as never), 'options'],
      ['invalid channel (space)', () => events(fresh).send({ channel: 'a b', body: 'x' }), 'channel'],
      ['control character', () => events(fresh).send({ channel: 'a\tb', body: 'x' }), 'channel'],
      ['wildcard in a send', () => events(fresh).send({ channel: 'orders.*', body: 'x' }), 'channel'],
      ["a ';' (a list of channels to some servers, one name to others)", () => events(fresh).send({ channel: 'orders;audit', body: 'x' }), 'channel'],
      ["a kind's prefix (routed elsewhere by some servers)", () => events(fresh).send({ channel: 'queues:jobs', body: 'x' }), 'channel'],
      ['a channel over 3840 bytes (one NATS protocol line on the broker)', () => events(fresh).send({ channel: 'x'.repeat(3841), body: 'x' }), 'channel'],
      ['empty message', () => events(fresh).send({ channel: 'a' }), 'body'],
      ['tags alone', () => events(fresh).send({ channel: 'a', tags: { k: 'v' } }), 'body'],
      ['a number body', () => events(fresh).send({ channel: 'a', body: 5 as never }), 'body'],
      ['unary mode, empty message', () => events(fresh, { sendMode: 'unary' }).send({ channel: 'a' }), 'body'],
      ['stream handle, wildcard', () => eventStream(fresh).send({ channel: 'a.>', body: 'x' }), 'channel'],
      ['a reserved probe tag', () => events(fresh).send({ channel: 'a', body: 'x', tags: { 'x-kubemq-events-probe': 't' } }), 'tags.x-kubemq-events-probe'],
      ['listen, bad wildcard', async () => eventListener(fresh, { channel: 'a.>.b' }, () => undefined), 'channel'],
      ['listen, concurrency 0', async () => eventListener(fresh, { channel: 'a', concurrency: 0 }, () => undefined), 'concurrency'],
      ['listen, no handler', async () => eventListener(fresh, { channel: 'a' }, undefined as never), 'handler'],
      ['listen, not a client', async () => eventListener({} as never, { channel: 'a' }, () => undefined), 'client'],
      ['subscribe, bad wildcard', async () => events(fresh).subscribe({ channel: 'a.>.b' }), 'channel'],
      ['subscribe, empty channel', async () => events(fresh).subscribe({ channel: '' }), 'channel'],
      ['timeoutMs 0', () => events(fresh).send({ channel: 'a', body: 'x' }, { timeoutMs: 0 }), 'timeoutMs'],
      ['a signal that is not an AbortSignal', () => events(fresh).send({ channel: 'a', body: 'x' }, { signal: {} as never }), 'signal'],
      ['stream handle, NaN timeoutMs', () => eventStream(fresh).send({ channel: 'a', body: 'x' }, { timeoutMs: Number.NaN }), 'timeoutMs'],
      ['stream handle, maxQueued 0', async () => eventStream(fresh, { maxQueued: 0 }), 'maxQueued'],
    ];
    it.each(cases)('%s', async (_name, run, field) => {
      const internals = clientInternals(fresh);
      const spies = [
        jest.spyOn(internals, 'unary'),
        jest.spyOn(internals, 'bidiStream'),
        jest.spyOn(internals, 'serverStream'),
      ];
      try {
        await expect(run()).rejects.toMatchObject({ name: 'ValidationError', code: 'VALIDATION', field });
        for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      } finally {
        spies.forEach((s) => s.mockRestore());
      }
    });
  });
});
