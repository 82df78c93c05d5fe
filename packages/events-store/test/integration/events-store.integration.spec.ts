import { IteratorOverflowError, type KubemqClient } from '@kubemq/core';
import { clientInternals } from '@kubemq/core/internal';
import { eventsStore, eventStoreStream, StartPosition, type EventStoreReceive } from '../../src/index.js';
import { eventually, probeUntil, sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { collect, connect } from './helpers.js';

const seqs = (items: EventStoreReceive[]) => items.map((e) => e.sequence);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('events store (integration)', () => {
  let client: KubemqClient;

  beforeAll(async () => {
    client = await connect(sharedBroker().address);
  });
  afterAll(async () => {
    await client?.close();
  });

  /** A channel holding events 1..n (bodies 'e1'…), stored one after another. */
  async function prepared(prefix: string, n = 5, gapMs = 0): Promise<{ channel: string; history: EventStoreReceive[] }> {
    const channel = uniqueChannel(prefix);
    for (let i = 1; i <= n; i++) {
      // Not a readiness wait: spaced events get distinct store timestamps, so a start time can
      // fall between two of them.
      if (gapMs > 0 && i > 1) await new Promise((resolve) => setTimeout(resolve, gapMs));
      const r = await eventsStore(client).send({ channel, body: `e${i}`, metadata: `m${i}`, tags: { n: String(i) } });
      expect(r.sent).toBe(true);
    }
    // The stored history as the broker reports it (sequence, timestamp).
    const all = collect(eventsStore(client).subscribe({ channel, startAt: StartPosition.fromFirst() }));
    await eventually(() => expect(all.items).toHaveLength(n));
    all.sub.unsubscribe();
    return { channel, history: all.items };
  }

  /** Stores events 1..n on `channel` through a stream handle (bodies 'e1'…). */
  async function storeMany(channel: string, n: number): Promise<void> {
    const handle = eventStoreStream(client);
    try {
      await Promise.all(range(1, n).map((i) => handle.send({ channel, body: `e${i}` })));
    } finally {
      await handle.close({ timeoutMs: 10_000 });
    }
  }

  /**
   * Subscribes from `startAt`, waits for `expected` sequences, then stores one more event and waits
   * for it: delivery is in order, so nothing else can have arrived in between.
   */
  async function deliversExactly(
    channel: string,
    startAt: StartPosition,
    expected: number[],
    next: number,
  ): Promise<EventStoreReceive[]> {
    const sub = collect(eventsStore(client).subscribe({ channel, startAt }));
    try {
      if (expected.length > 0) {
        await eventually(() => expect(seqs(sub.items)).toEqual(expected));
        await eventsStore(client).send({ channel, body: 'tail' });
        await eventually(() => expect(sub.items.some((e) => e.sequence >= next)).toBe(true));
      } else {
        // newOnly: the subscription is live once it sees a new event, so keep storing probes
        await probeUntil(
          () => eventsStore(client).send({ channel, body: 'tail' }),
          () => sub.items.some((e) => e.sequence >= next),
          { timeoutMs: 15_000 },
        );
      }
      expect(sub.errors).toEqual([]);
      return sub.items;
    } finally {
      sub.sub.unsubscribe();
    }
  }

  it('each of the six start positions delivers exactly the expected set', async () => {
    const { channel, history } = await prepared('es.start', 5, 60);
    expect(seqs(history)).toEqual([1, 2, 3, 4, 5]);
    expect(history.map((e) => e.text())).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
    expect(history[2]!.tags).toEqual({ n: '3' });
    expect(history[2]!.metadata).toBe('m3');
    for (const e of history) {
      expect(e.timestamp).toBeInstanceOf(Date);
      expect(typeof e.timestampNanos).toBe('bigint');
      expect(e.timestamp.getTime()).toBe(Number(e.timestampNanos / 1_000_000n));
      // The broker's clock, perhaps another host's: this checks the unit, not the clocks' agreement.
      expect(Math.abs(e.timestamp.getTime() - Date.now())).toBeLessThan(300_000);
    }
    let next = 6;
    const check = async (startAt: StartPosition, expected: number[]) => {
      const got = await deliversExactly(channel, startAt, expected, next);
      const tail = got.filter((e) => e.sequence >= next);
      // what came after the expected set is only the new tail event(s), in order
      expect(seqs(got)).toEqual([...expected, ...seqs(tail)]);
      next = Math.max(...seqs(got)) + 1;
    };
    await check(StartPosition.fromFirst(), [1, 2, 3, 4, 5]);
    await check(StartPosition.atSequence(3), [3, 4, 5, 6]);
    await check(StartPosition.fromLast(), [next - 1]);
    // time: a time in the middle of the 60 ms between events 2 and 3 delivers 3 on. The broker
    // starts a little after the time it is given, never at it, so the time has room on both sides.
    const [t2, t3] = [history[1]!.timestampNanos, history[2]!.timestampNanos];
    expect(t3 - t2).toBeGreaterThan(40_000_000n);
    const between = new Date(Number((t2 + t3) / 2n / 1_000_000n));
    await check(StartPosition.atTime(between), [3, 4, 5, ...range(6, next - 1)]);
    // a time well before everything: all of it (a unit bug, seconds for ns, would replay everything
    // too, so the case above that must leave events out is the one that pins the unit)
    await check(StartPosition.atTime(new Date(history[0]!.timestamp.getTime() - 1000)), range(1, next - 1));
    // time delta: the last minute holds everything stored so far
    await check(StartPosition.atTimeDelta(60), range(1, next - 1));
    // new only: nothing stored before, only what comes after
    const before = next;
    const fresh = await deliversExactly(channel, StartPosition.newOnly(), [], next);
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((e) => e.sequence >= before)).toBe(true);
    expect(seqs(fresh)).toEqual([...seqs(fresh)].sort((a, b) => a - b));
  }, 60_000);

  it('a start time in the future delivers nothing stored', async () => {
    const { channel } = await prepared('es.future', 3);
    const sub = collect(eventsStore(client).subscribe({ channel, startAt: StartPosition.atTime(new Date(Date.now() + 3_600_000)) }));
    try {
      // a fresh subscription fromFirst on the same channel sees all three, proving delivery works
      const probe = collect(eventsStore(client).subscribe({ channel, startAt: StartPosition.fromFirst() }));
      await eventually(() => expect(probe.items).toHaveLength(3));
      probe.sub.unsubscribe();
      expect(sub.items).toEqual([]);
      expect(sub.errors).toEqual([]);
    } finally {
      sub.sub.unsubscribe();
    }
  });

  it('a late-joining subscriber replays the history, then gets new events', async () => {
    const { channel } = await prepared('es.late', 20);
    const late = collect(eventsStore(client).subscribe({ channel, startAt: StartPosition.fromFirst() }));
    try {
      await eventually(() => expect(seqs(late.items)).toEqual(range(1, 20)));
      await eventsStore(client).send({ channel, body: 'new' });
      await eventually(() => expect(seqs(late.items)).toEqual(range(1, 21)));
      expect(late.items[20]!.text()).toBe('new');
    } finally {
      late.sub.unsubscribe();
    }
  });

  it('two live subscriptions of one client on one channel each get their own start (no durable clash)', async () => {
    const { channel } = await prepared('es.twice', 4);
    const a = collect(eventsStore(client).subscribe({ channel, startAt: StartPosition.fromFirst() }));
    const b = collect(eventsStore(client).subscribe({ channel, startAt: StartPosition.atSequence(3) }));
    try {
      await eventually(() => {
        expect(seqs(a.items)).toEqual([1, 2, 3, 4]);
        expect(seqs(b.items)).toEqual([3, 4]);
      });
      expect(a.errors).toEqual([]);
      expect(b.errors).toEqual([]);
    } finally {
      a.sub.unsubscribe();
      b.sub.unsubscribe();
    }
    // Re-subscribing right after a cancel gets the start position it asks for, not a resumed durable.
    const c = collect(eventsStore(client).subscribe({ channel, startAt: StartPosition.atSequence(2) }));
    try {
      await eventually(() => expect(seqs(c.items)).toEqual([2, 3, 4]));
      expect(c.errors).toEqual([]);
    } finally {
      c.sub.unsubscribe();
    }
  });

  it('a start at a sequence past the end of the channel delivers from that sequence on, never the ones before it', async () => {
    // The broker starts such a subscription at the channel's next sequence (3 here), not at 5.
    const { channel } = await prepared('es.past-end', 2);
    const sub = collect(eventsStore(client).subscribe({ channel, startAt: StartPosition.atSequence(5) }));
    try {
      // Not a readiness wait (the result is the same either way): once the broker has registered
      // the subscription, sequence 5 is past the end when it starts.
      await new Promise((resolve) => setTimeout(resolve, 600));
      for (let i = 3; i <= 7; i++) await eventsStore(client).send({ channel, body: `e${i}` });
      await eventually(() => expect(seqs(sub.items)).toEqual([5, 6, 7]));
      await eventsStore(client).send({ channel, body: 'e8' });
      await eventually(() => expect(seqs(sub.items)).toEqual([5, 6, 7, 8]));
      expect(sub.errors).toEqual([]);
    } finally {
      sub.sub.unsubscribe();
    }
  });

  it('a subscription from the first event, or from a sequence, needs no readiness wait: 20 of 20 get the event stored right after subscribing', async () => {
    for (let round = 0; round < 20; round++) {
      const channel = uniqueChannel('es.no-readiness');
      const first = collect(eventsStore(client).subscribe({ channel, startAt: StartPosition.fromFirst() }));
      const fromOne = collect(eventsStore(client).subscribe({ channel, startAt: StartPosition.atSequence(1) }));
      try {
        // Stored at once: the subscriptions may not be registered by the broker yet.
        const { id } = await eventsStore(client).send({ channel, body: `round ${round}` });
        await eventually(() => {
          expect(first.items.map((e) => e.id)).toEqual([id]);
          expect(fromOne.items.map((e) => e.id)).toEqual([id]);
        });
        expect([...first.errors, ...fromOne.errors]).toEqual([]);
      } finally {
        first.sub.unsubscribe();
        fromOne.sub.unsubscribe();
      }
    }
  }, 60_000);

  it('the README quick start: store, then replay from the first event until it arrives', async () => {
    const channel = uniqueChannel('es.quick-start');
    await eventsStore(client).send({ channel, body: 'stored before' });
    const { id } = await eventsStore(client).send({ channel, body: 'user 7 logged in' });
    const seen: string[] = [];
    for await (const event of eventsStore(client).subscribe({ channel, startAt: StartPosition.fromFirst() })) {
      seen.push(event.text());
      if (event.id === id) break;
    }
    expect(seen).toEqual(['stored before', 'user 7 logged in']);
  });

  it('for await works and stops the subscription on break', async () => {
    const { channel } = await prepared('es.iter', 5);
    const seen: number[] = [];
    for await (const e of eventsStore(client).subscribe({ channel, startAt: StartPosition.fromFirst() })) {
      seen.push(e.sequence);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([1, 2, 3]);
  });

  it('a for await loop that falls bufferSize behind a replay pauses the stream and reads on, every event once, in order', async () => {
    const channel = uniqueChannel('es.iter.slow');
    await storeMany(channel, 600);
    const seen: number[] = [];
    // 600 stored events arrive at once; the loop holds at most about 50 of them.
    for await (const e of eventsStore(client).subscribe({ channel, startAt: StartPosition.fromFirst(), bufferSize: 50 })) {
      seen.push(e.sequence);
      if (seen.length % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      if (seen.length === 600) break;
    }
    expect(seen).toEqual(range(1, 600));
  }, 60_000);

  it('a loop paused behind a replay when its client closes ends quietly once it has read what it holds, as a subscription the close ends', async () => {
    const channel = uniqueChannel('es.iter.closed');
    await storeMany(channel, 300);
    const closing = await connect(sharedBroker().address, 'es-closing');
    const seen: number[] = [];
    const loop = (async () => {
      for await (const e of eventsStore(closing).subscribe({ channel, startAt: StartPosition.fromFirst(), bufferSize: 20 })) {
        seen.push(e.sequence);
        if (seen.length === 1) {
          // Holding the loop while the replay arrives pauses the stream; the client closes meanwhile.
          await new Promise((resolve) => setTimeout(resolve, 500));
          await closing.close();
        }
      }
    })();
    await expect(loop).resolves.toBeUndefined();
    expect(seen.length).toBeGreaterThan(1);
    expect(seen).toEqual(range(1, seen.length));
  }, 30_000);

  it('a reader that blocks its event loop during a replay gets every event once, in order, though the broker drops what it could not hand over', async () => {
    // The broker waits 2 s for room in a stalled subscriber's stream, then drops the event and
    // counts it as delivered; the subscription re-opens at the one it skipped.
    const channel = uniqueChannel('es.stall');
    const n = 2000;
    await storeMany(channel, n);
    const seen: number[] = [];
    let done!: () => void;
    const all = new Promise<void>((resolve) => (done = resolve));
    const sub = eventsStore(client)
      .subscribe({ channel, startAt: StartPosition.fromFirst() })
      .subscribe((e) => {
        seen.push(e.sequence);
        if (seen.length === 1) {
          const until = Date.now() + 3_000;
          while (Date.now() < until); // a handler that holds the event loop
        }
        if (seen.length === n) done();
      });
    try {
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 40_000))]);
      expect(seen).toEqual(range(1, n));
    } finally {
      sub.unsubscribe();
    }
  }, 60_000);

  it('a grouped for await loop that falls bufferSize behind fails with IteratorOverflowError, with no gap before it', async () => {
    // The broker resumes a group from its own position and acks what it hands out: a paused and
    // resumed group stream would skip what was on its way. Failing loudly is the only safe end.
    const channel = uniqueChannel('es.iter.group');
    await storeMany(channel, 600);
    const seen: number[] = [];
    const loop = (async () => {
      const replay = eventsStore(client).subscribe({ channel, group: 'slow-readers', startAt: StartPosition.fromFirst(), bufferSize: 50 });
      for await (const e of replay) {
        seen.push(e.sequence);
        // A stall after the first event lets the broker's replay get far ahead, however busy the machine.
        if (seen.length === 1) await new Promise((resolve) => setTimeout(resolve, 1000));
        if (seen.length % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        if (seen.length === 600) break;
      }
    })();
    await expect(loop).rejects.toBeInstanceOf(IteratorOverflowError);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toEqual(range(1, seen.length));
  }, 60_000);

  it('a stream handle sends 10,000 events: every result accounted for, all stored', async () => {
    const channel = uniqueChannel('es.stream');
    const handle = eventStoreStream(client);
    const ids = Array.from({ length: 10_000 }, (_, i) => `id-${i}`);
    try {
      const results = await Promise.all(ids.map((id, i) => handle.send({ channel, id, body: String(i) })));
      expect(results.map((r) => r.id)).toEqual(ids);
      expect(results.every((r) => r.sent)).toBe(true);
    } finally {
      await handle.close({ timeoutMs: 10_000 });
    }
    await expect(handle.send({ channel, body: 'late' })).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(handle.close()).resolves.toBeUndefined();
    const last = collect(eventsStore(client).subscribe({ channel, startAt: StartPosition.fromLast() }));
    try {
      await eventually(() => expect(seqs(last.items)).toEqual([10_000]));
      expect(last.items[0]!.id).toBe('id-9999');
    } finally {
      last.sub.unsubscribe();
    }
  }, 120_000);

  it('send() in unary mode and in stream mode give the same answer', async () => {
    const channel = uniqueChannel('es.modes');
    const a = await eventsStore(client, { sendMode: 'unary' }).send({ channel, body: 'a', id: 'ua' });
    const b = await eventsStore(client).send({ channel, body: 'b', id: 'sb' });
    expect(a).toEqual({ id: 'ua', sent: true });
    expect(b).toEqual({ id: 'sb', sent: true });
  });

  describe('bad input is rejected with a ValidationError naming the field, and nothing is sent', () => {
    let fresh: KubemqClient;
    beforeAll(async () => {
      fresh = await connect(sharedBroker().address);
    });
    afterAll(async () => {
      await fresh?.close();
    });
    const sub = (options: object) => async () => eventsStore(fresh).subscribe(options as never);
    const cases: [string, () => Promise<unknown>, string][] = [
      ['empty channel', () => eventsStore(fresh).send({ channel: '', body: 'x' }), 'channel'],
      ['wildcard', () => eventsStore(fresh).send({ channel: 'a.*', body: 'x' }), 'channel'],
      ['slash', () => eventsStore(fresh).send({ channel: 'a/b', body: 'x' }), 'channel'],
      ['tab in the channel', () => eventsStore(fresh).send({ channel: 'a\tb', body: 'x' }), 'channel'],
      ["a ';' (a list of channels to some servers, one name to others)", () => eventsStore(fresh).send({ channel: 'a;b', body: 'x' }), 'channel'],
      ["a kind's prefix (routed elsewhere by some servers)", () => eventsStore(fresh).send({ channel: 'events:a', body: 'x' }), 'channel'],
      ['empty message', () => eventsStore(fresh).send({ channel: 'a' }), 'body'],
      ['tags alone', () => eventsStore(fresh).send({ channel: 'a', tags: { t: 'v' } }), 'body'],
      ['object body', () => eventsStore(fresh).send({ channel: 'a', body: {} as never }), 'body'],
      ['stream handle, empty message', () => eventStoreStream(fresh).send({ channel: 'a' }), 'body'],
      ['stream handle, maxQueued 0', async () => eventStoreStream(fresh, { maxQueued: 0 }), 'maxQueued'],
      ['stream handle, close with a negative timeoutMs', () => eventStoreStream(fresh).close({ timeoutMs: -1 }), 'timeoutMs'],
      ['stream handle, close with a signal that is not an AbortSignal', () => eventStoreStream(fresh).close({ signal: 'stop' as never }), 'signal'],
      ['a client that is not a KubemqClient', async () => eventsStore({} as never), 'client'],
      ['an unknown sendMode', async () => eventsStore(fresh, { sendMode: 'batch' as never }), 'sendMode'],
      ['negative timeoutMs', () => eventsStore(fresh).send({ channel: 'a', body: 'x' }, { timeoutMs: -1 }), 'timeoutMs'],
      ['null send options', () => eventsStore(fresh).send({ channel: 'a', body: 'x' }, null as never), 'options'],
      ['null eventsStore options', async () => eventsStore(fresh, null as never), 'options'],
      ['null stream close options', () => eventStoreStream(fresh).close(null as never), 'options'],
      ['a signal that is not an AbortSignal', () => eventsStore(fresh).send({ channel: 'a', body: 'x' }, { signal: 'stop' as never }), 'signal'],
      ['subscribe with a wildcard', sub({ channel: 'a.>' }), 'channel'],
      ['sequence 0', sub({ channel: 'a', startAt: { kind: 'atSequence', sequence: 0 } }), 'startAt.sequence'],
      ['negative sequence', sub({ channel: 'a', startAt: StartPosition.atSequence(-1) }), 'startAt.sequence'],
      ['NaN sequence', sub({ channel: 'a', startAt: StartPosition.atSequence(Number.NaN) }), 'startAt.sequence'],
      ['sequence as a string', sub({ channel: 'a', startAt: { kind: 'atSequence', sequence: '3' } }), 'startAt.sequence'],
      ['Invalid Date', sub({ channel: 'a', startAt: StartPosition.atTime(new Date('x')) }), 'startAt.time'],
      ['time as a number', sub({ channel: 'a', startAt: { kind: 'atTime', time: Date.now() } }), 'startAt.time'],
      ['delta 0', sub({ channel: 'a', startAt: StartPosition.atTimeDelta(0) }), 'startAt.deltaSeconds'],
      ['delta not whole seconds', sub({ channel: 'a', startAt: StartPosition.atTimeDelta(2.5) }), 'startAt.deltaSeconds'],
      ['an old kind name', sub({ channel: 'a', startAt: { kind: 'first' } }), 'startAt.kind'],
      ['unknown kind', sub({ channel: 'a', startAt: { kind: 'middle' } }), 'startAt.kind'],
    ];
    it.each(cases)('%s', async (_name, run, field) => {
      const internals = clientInternals(fresh);
      const spies = [
        jest.spyOn(internals, 'unary'),
        jest.spyOn(internals, 'bidiStream'),
        jest.spyOn(internals, 'serverStream'),
      ];
      try {
        const err = await run().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toMatchObject({ name: 'ValidationError', code: 'VALIDATION', field });
        // It names the call that failed, as KubemqError.operation promises, not an inner 'validate'.
        expect((err as { operation: string }).operation).toMatch(/^eventsStore(\.|$)/);
        for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      } finally {
        spies.forEach((s) => s.mockRestore());
      }
    });
  });
});
