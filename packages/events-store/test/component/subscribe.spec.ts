import { getEventListeners } from 'node:events';
import { KubemqError, textCodec, type KubemqClient } from '@kubemq/core';
import { attachInternals, brokerError, type EventReceive as WireEventReceive, type Subscribe } from '@kubemq/core/internal';
import { validationField } from '@kubemq/test-fakes';
import { eventStoreChannel } from '../../src/index.js';
import { StartPosition } from '../../src/internal/subscribe/start-position.js';
import { subscribeEventsStore } from '../../src/internal/subscribe/subscribe.js';
import { fakeInternals, settle, type FakeInternals } from './fake-internals.js';

const NS = 1_795_000_000_000_000_000n;
const stored = (sequence: number): WireEventReceive => ({
  EventID: `e${sequence}`,
  Channel: 'audit',
  Metadata: '',
  Body: Buffer.from(`body ${sequence}`),
  Timestamp: NS + BigInt(sequence),
  Sequence: BigInt(sequence),
  Tags: {},
});
const requestOf = (internals: FakeInternals, i: number) => internals.streams[i]!.request as Subscribe;
const lost = () => new KubemqError({ code: 'UNAVAILABLE', message: 'connection lost', operation: 'x', retryable: true });
const reopened = async (internals: FakeInternals, count: number) => {
  for (let i = 0; i < 100 && internals.streams.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(internals.streams).toHaveLength(count);
};

/** A subscription from `startAt` that has been sent `sequences` on its first stream, recording what it delivers and any error. */
async function delivering(startAt: StartPosition, sequences: number[]) {
  const internals = fakeInternals();
  const got: number[] = [];
  const errors: unknown[] = [];
  const sub = subscribeEventsStore(internals, { channel: 'audit', startAt }).subscribe({
    next: (e) => got.push(e.sequence),
    error: (e) => errors.push(e),
  });
  await settle();
  for (const n of sequences) internals.streams[0]!.observer.next(stored(n));
  return { internals, got, errors, sub };
}

describe('subscribeEventsStore (fake transport)', () => {
  it('sends the start position in wire units, with a fresh broker-safe ClientID per subscription', async () => {
    const internals = fakeInternals();
    const time = new Date('2026-11-28T03:00:00.000Z');
    const a = subscribeEventsStore(internals, { channel: 'audit', startAt: StartPosition.atTime(time) }).subscribe();
    const b = subscribeEventsStore(internals, { channel: 'audit', startAt: StartPosition.atTimeDelta(90) }).subscribe();
    await settle();
    expect(requestOf(internals, 0)).toMatchObject({ SubscribeTypeData: 2, Channel: 'audit', EventsStoreTypeData: 5 });
    expect(requestOf(internals, 0).EventsStoreTypeValue).toBe(BigInt(time.getTime()) * 1_000_000n);
    expect(requestOf(internals, 1)).toMatchObject({ EventsStoreTypeData: 6, EventsStoreTypeValue: 90n });
    const ids = [requestOf(internals, 0).ClientID, requestOf(internals, 1).ClientID];
    for (const id of ids) expect(id).toMatch(/^test-client-[a-zA-Z0-9_-]+$/);
    expect(ids[0]).not.toBe(ids[1]);
    a.unsubscribe();
    b.unsubscribe();
  });

  it('after a break, re-opens at the last delivered sequence + 1 with a new ClientID, and drops repeats', async () => {
    const internals = fakeInternals();
    const got: number[] = [];
    const errors: unknown[] = [];
    const sub = subscribeEventsStore(internals, { channel: 'audit', startAt: StartPosition.fromFirst() }).subscribe({
      next: (e) => got.push(e.sequence),
      error: (e) => errors.push(e),
    });
    await settle();
    expect(requestOf(internals, 0)).toMatchObject({ EventsStoreTypeData: 2 });
    for (const n of [1, 2, 3]) internals.streams[0]!.observer.next(stored(n));
    internals.streams[0]!.observer.error(lost());
    await reopened(internals, 2);
    expect(requestOf(internals, 1)).toMatchObject({ EventsStoreTypeData: 4, EventsStoreTypeValue: 4n });
    expect(requestOf(internals, 1).ClientID).not.toBe(requestOf(internals, 0).ClientID);
    // stan sending 3 again after later ones (its ack wait ran out) does not make the subscriber see it twice
    for (const n of [4, 3, 5]) internals.streams[1]!.observer.next(stored(n));
    expect(got).toEqual([1, 2, 3, 4, 5]);
    expect(errors).toEqual([]);
    sub.unsubscribe();
  });

  it('a re-open answered below the last sequence seen (the broker lost its store) reads again from the first position', async () => {
    const { internals, got, errors, sub } = await delivering(StartPosition.newOnly(), [1, 2, 3]);
    internals.streams[0]!.observer.error(lost());
    await reopened(internals, 2);
    expect(requestOf(internals, 1)).toMatchObject({ EventsStoreTypeData: 4, EventsStoreTypeValue: 4n });
    internals.streams[1]!.observer.next(stored(1)); // the new store's first event
    await reopened(internals, 3);
    // as if nothing had been delivered: newOnly stands for "since it first opened", as a delta
    expect(requestOf(internals, 2)).toMatchObject({ EventsStoreTypeData: 6 });
    for (const n of [1, 2]) internals.streams[2]!.observer.next(stored(n));
    expect(got).toEqual([1, 2, 3, 1, 2]);
    expect(errors).toEqual([]);
    expect(internals.logs.some((l) => l.level === 'warn' && /sequences started over/.test(l.message))).toBe(true);
    sub.unsubscribe();
  });

  it('a re-open answered with the last sequence seen (a store that came back one event short) reads again from the first position', async () => {
    const { internals, got, sub } = await delivering(StartPosition.fromFirst(), [1, 2, 3]);
    internals.streams[0]!.observer.error(lost());
    await reopened(internals, 2);
    // Asked for 4, a fresh durable sends 3: the new store numbered its third event 3 again.
    internals.streams[1]!.observer.next(stored(3));
    await reopened(internals, 3);
    expect(requestOf(internals, 2)).toMatchObject({ EventsStoreTypeData: 2 });
    for (const n of [1, 2, 3]) internals.streams[2]!.observer.next(stored(n));
    expect(got).toEqual([1, 2, 3, 1, 2, 3]);
    sub.unsubscribe();
  });

  it('a sequence past the next one (the broker dropped an event for a slow reader) re-opens at the next one', async () => {
    const { internals, got, errors, sub } = await delivering(StartPosition.fromFirst(), [1, 2, 4]);
    await reopened(internals, 2);
    expect(requestOf(internals, 1)).toMatchObject({ EventsStoreTypeData: 4, EventsStoreTypeValue: 3n });
    expect(requestOf(internals, 1).ClientID).not.toBe(requestOf(internals, 0).ClientID);
    // Retention removed 3 meanwhile: the re-open's first event is taken as it comes.
    for (const n of [5, 6]) internals.streams[1]!.observer.next(stored(n));
    expect(got).toEqual([1, 2, 5, 6]);
    expect(errors).toEqual([]);
    expect(internals.logs.some((l) => l.level === 'warn' && /skipped events/.test(l.message))).toBe(true);
    sub.unsubscribe();
  });

  it('the first event of an open may be past its start (retention), and a group takes every sequence as it comes', async () => {
    const internals = fakeInternals();
    const lone: number[] = [];
    const grouped: number[] = [];
    const a = subscribeEventsStore(internals, { channel: 'audit', startAt: StartPosition.fromFirst() }).subscribe((e) => lone.push(e.sequence));
    const b = subscribeEventsStore(internals, { channel: 'audit', group: 'g', startAt: StartPosition.fromFirst() }).subscribe((e) => grouped.push(e.sequence));
    await settle();
    for (const n of [40, 41]) internals.streams[0]!.observer.next(stored(n));
    for (const n of [1, 5, 9]) internals.streams[1]!.observer.next(stored(n));
    await settle();
    expect(internals.streams).toHaveLength(2);
    expect(lone).toEqual([40, 41]);
    expect(grouped).toEqual([1, 5, 9]);
    a.unsubscribe();
    b.unsubscribe();
  });

  it('retries the transient "stan: clientID already registered" with backoff instead of failing', async () => {
    const internals = fakeInternals();
    const got: number[] = [];
    const errors: unknown[] = [];
    const sub = subscribeEventsStore(internals, { channel: 'audit', startAt: StartPosition.atSequence(7) }).subscribe({
      next: (e) => got.push(e.sequence),
      error: (e) => errors.push(e),
    });
    await settle();
    internals.streams[0]!.observer.error(brokerError('stan: clientID already registered', { operation: 'eventsStore.subscribe' }));
    await reopened(internals, 2);
    expect(requestOf(internals, 1)).toMatchObject({ EventsStoreTypeData: 4, EventsStoreTypeValue: 7n });
    internals.streams[1]!.observer.next(stored(7));
    expect(got).toEqual([7]);
    expect(errors).toEqual([]);
    sub.unsubscribe();
  });

  it('with nothing delivered before a break: newOnly resumes from the time it first opened, as a delta the broker reads on its own clock', async () => {
    const internals = fakeInternals();
    const before = performance.now();
    const sub = subscribeEventsStore(internals, { channel: 'audit' }).subscribe();
    await settle();
    expect(requestOf(internals, 0)).toMatchObject({ EventsStoreTypeData: 1 });
    internals.streams[0]!.observer.error(lost());
    await reopened(internals, 2);
    const resumed = requestOf(internals, 1);
    expect(resumed.EventsStoreTypeData).toBe(6);
    expect(Number(resumed.EventsStoreTypeValue)).toBe(Math.max(1, Math.ceil((performance.now() - before) / 1000)));
    sub.unsubscribe();
  });

  it.each<[string, StartPosition]>([
    ['fromFirst', StartPosition.fromFirst()],
    ['atSequence', StartPosition.atSequence(7)],
    ['newOnly', StartPosition.newOnly()],
    ['atTimeDelta', StartPosition.atTimeDelta(30)],
  ])('a group re-opens at its own start position (%s), never after its last sequence, and takes a store that started over as it comes', async (_, startAt) => {
    const internals = fakeInternals();
    const got: number[] = [];
    const errors: unknown[] = [];
    const sub = subscribeEventsStore(internals, { channel: 'audit', group: 'g', startAt }).subscribe({
      next: (e) => got.push(e.sequence),
      error: (e) => errors.push(e),
    });
    await settle();
    const first = requestOf(internals, 0);
    for (const n of [7, 8, 9]) internals.streams[0]!.observer.next(stored(n));
    internals.streams[0]!.observer.error(lost());
    await reopened(internals, 2);
    // The broker ignores it while the group exists; one that lost the group starts it from here, not at 10.
    expect(requestOf(internals, 1)).toMatchObject({ Group: 'g', EventsStoreTypeData: first.EventsStoreTypeData, EventsStoreTypeValue: first.EventsStoreTypeValue });
    expect(requestOf(internals, 1).ClientID).not.toBe(first.ClientID);
    // A new store's events, numbered from 1 again, reach the member without a reset of its own.
    for (const n of [1, 2]) internals.streams[1]!.observer.next(stored(n));
    internals.streams[1]!.observer.error(lost());
    await reopened(internals, 3);
    expect(requestOf(internals, 2)).toMatchObject({ EventsStoreTypeData: first.EventsStoreTypeData, EventsStoreTypeValue: first.EventsStoreTypeValue });
    expect(got).toEqual([7, 8, 9, 1, 2]);
    expect(errors).toEqual([]);
    expect(internals.logs.filter((l) => l.level === 'warn')).toEqual([]);
    sub.unsubscribe();
  });

  it('each subscriber of the same Observable keeps its own position', async () => {
    const internals = fakeInternals();
    const source = subscribeEventsStore(internals, { channel: 'audit', startAt: StartPosition.fromFirst() });
    const a = source.subscribe();
    await settle();
    internals.streams[0]!.observer.next(stored(1));
    internals.streams[0]!.observer.next(stored(2));
    const b = source.subscribe();
    await settle();
    expect(requestOf(internals, 1)).toMatchObject({ EventsStoreTypeData: 2 }); // from first, not from 3
    a.unsubscribe();
    b.unsubscribe();
  });

  it('a permanent broker error ends the subscription (no retry loop)', async () => {
    const internals = fakeInternals();
    const errors: KubemqError[] = [];
    subscribeEventsStore(internals, { channel: 'audit' }).subscribe({ error: (e: KubemqError) => errors.push(e) });
    await settle();
    internals.streams[0]!.observer.error(brokerError('Error 112: invalid events store sequence value, cannot by 0 or negative', { operation: 'eventsStore.subscribe' }));
    await settle();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'VALIDATION', brokerCode: 112 });
    expect(internals.streams).toHaveLength(1);
  });
});

describe('subscribeEventsStore: the time a re-open reaches back (fake clocks)', () => {
  const MIN = 60_000;
  afterEach(() => {
    jest.useRealTimers();
  });

  /** A newOnly subscription that delivers nothing, open 10 min; then `meanwhile` moves the clocks and the stream breaks. */
  async function resumedDelta(meanwhile: () => void): Promise<number> {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] });
    const internals = fakeInternals();
    const sub = subscribeEventsStore(internals, { channel: 'audit' }).subscribe();
    await settle();
    jest.advanceTimersByTime(10 * MIN); // both clocks
    meanwhile();
    internals.streams[0]!.observer.error(lost());
    await jest.advanceTimersByTimeAsync(10_000); // the re-open's backoff, at most a few seconds
    expect(internals.streams).toHaveLength(2);
    const resumed = requestOf(internals, 1);
    expect(resumed.EventsStoreTypeData).toBe(6);
    sub.unsubscribe();
    return Number(resumed.EventsStoreTypeValue);
  }

  it('counts a system suspend, when only the wall clock moves: what was stored during the sleep is delivered', async () => {
    const delta = await resumedDelta(() => {
      const before = performance.now();
      jest.setSystemTime(Date.now() + 120 * MIN); // 2 h asleep: the monotonic clock stood still
      expect(performance.now()).toBe(before);
    });
    expect(delta).toBeGreaterThanOrEqual(130 * 60);
    expect(delta).toBeLessThanOrEqual(130 * 60 + 10);
  });

  it('falls back to the monotonic clock when the wall clock was set back', async () => {
    const delta = await resumedDelta(() => jest.setSystemTime(Date.now() - 60 * MIN));
    expect(delta).toBeGreaterThanOrEqual(10 * 60);
    expect(delta).toBeLessThanOrEqual(10 * 60 + 10);
  });
});

describe('subscribeEventsStore: signal', () => {
  const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

  it('ends a for await loop that has caught up and waits in next(), without an error (a projector told to stop): its stream is cancelled, the listener removed', async () => {
    const internals = fakeInternals();
    const controller = new AbortController();
    const got: number[] = [];
    const loop = (async () => {
      for await (const e of subscribeEventsStore(internals, { channel: 'audit', startAt: StartPosition.fromFirst(), signal: controller.signal })) got.push(e.sequence);
      return 'ended';
    })();
    await settle();
    for (const n of [1, 2, 3]) internals.streams[0]!.observer.next(stored(n));
    await settle();
    expect(got).toEqual([1, 2, 3]); // caught up: the loop waits for the next event
    controller.abort();
    await expect(loop).resolves.toBe('ended');
    expect(internals.streams[0]!.cancelled).toBe(true);
    expect(internals.streams).toHaveLength(1);
    expect(listeners(controller.signal)).toBe(0);
  });

  it('ends a loop paused behind its bufferSize at its next step, without re-opening the stream', async () => {
    const internals = fakeInternals();
    const controller = new AbortController();
    const it = subscribeEventsStore(internals, { channel: 'audit', startAt: StartPosition.fromFirst(), bufferSize: 2, signal: controller.signal })[Symbol.asyncIterator]();
    const first = it.next();
    await settle();
    for (const n of [1, 2, 3, 4]) internals.streams[0]!.observer.next(stored(n));
    await expect(first).resolves.toMatchObject({ value: { sequence: 1 }, done: false });
    expect(internals.streams[0]!.cancelled).toBe(true); // paused
    controller.abort();
    await expect(it.next()).resolves.toEqual({ value: undefined, done: true });
    await settle();
    expect(internals.streams).toHaveLength(1);
    expect(listeners(controller.signal)).toBe(0);
  });

  it('completes a subscriber; already aborted, it completes at once and opens no stream; a typed channel takes it too', async () => {
    const internals = fakeInternals();
    const controller = new AbortController();
    const ends: string[] = [];
    subscribeEventsStore(internals, { channel: 'audit', signal: controller.signal }).subscribe({ error: () => ends.push('error'), complete: () => ends.push('complete') });
    await settle();
    controller.abort();
    expect(ends).toEqual(['complete']);
    expect(internals.streams[0]!.cancelled).toBe(true);

    subscribeEventsStore(internals, { channel: 'audit', signal: AbortSignal.abort() }).subscribe({ complete: () => ends.push('complete at once') });
    expect(ends).toEqual(['complete', 'complete at once']);

    const client = {} as KubemqClient;
    attachInternals(client, internals);
    const typed = eventStoreChannel(client, { channel: 'audit', codec: textCodec() });
    for await (const _ of typed.subscribe({ signal: AbortSignal.abort() })) throw new Error('no event');
    await settle();
    expect(internals.streams).toHaveLength(1);
  });

  it('removes the abort listener when the subscription ends otherwise, and refuses a signal that is no AbortSignal', async () => {
    const internals = fakeInternals();
    const { signal } = new AbortController();
    for (let i = 0; i < 10; i++) {
      subscribeEventsStore(internals, { channel: 'audit', signal }).subscribe().unsubscribe();
      const loop = (async () => {
        for await (const _ of subscribeEventsStore(internals, { channel: 'audit', signal })) break;
      })();
      await settle();
      internals.streams.at(-1)!.observer.next(stored(1));
      await loop;
    }
    expect(listeners(signal)).toBe(0);
    expect(validationField(() => subscribeEventsStore(internals, { channel: 'audit', signal: {} as never }))).toBe('signal');
  });
});
