import type { Event as WireEvent, Result } from '@kubemq/core/internal';
import { buildEventStore } from '../../src/internal/send/build-event.js';
import { StoreSendStream } from '../../src/internal/send/send-stream.js';
import { fakeInternals, settle, type FakeCall } from './fake-internals.js';

const ev = (channel: string, n: number, id = `e${n}`) => buildEventStore({ channel, body: `b${n}`, id }, 'test-client');

/** Answers every Store=true event, in order (channel 'bad' is refused). */
function broker(req: WireEvent, call: FakeCall<WireEvent, Result>) {
  call.observer.next(
    req.Channel === 'bad'
      ? { EventID: req.EventID, Sent: false, Error: 'Error 110: invalid message, cannot be empty' }
      : { EventID: req.EventID, Sent: true, Error: '' },
  );
}

describe('StoreSendStream (events store, Store=true)', () => {
  it('resolves every send with its own answer', async () => {
    const internals = fakeInternals(broker as never);
    const stream = new StoreSendStream(internals, { operation: 'eventsStore.send', maxQueued: 10_000 });
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => stream.send(ev('audit', i))));
    expect(results.map((r) => r.id)).toEqual(Array.from({ length: 1000 }, (_, i) => `e${i}`));
    expect(results.every((r) => r.sent)).toBe(true);
    expect(internals.calls).toHaveLength(1);
  });

  it('correlates by id when answers come out of order, and rejects the refused one', async () => {
    const internals = fakeInternals();
    const stream = new StoreSendStream(internals, { operation: 'eventsStore.send', maxQueued: 100 });
    const a = stream.send(ev('audit', 1));
    const b = stream.send(ev('bad', 2));
    const c = stream.send(ev('audit', 3));
    await settle();
    const call = internals.calls[0]! as FakeCall<WireEvent, Result>;
    call.observer.next({ EventID: 'e3', Sent: true, Error: '' });
    call.observer.next({ EventID: 'e2', Sent: false, Error: 'Error 110: invalid message, cannot be empty' });
    call.observer.next({ EventID: 'e1', Sent: true, Error: '' });
    await expect(a).resolves.toEqual({ id: 'e1', sent: true });
    await expect(b).rejects.toMatchObject({ code: 'VALIDATION', brokerCode: 110, channel: 'bad' });
    await expect(c).resolves.toEqual({ id: 'e3', sent: true });
  });

  it('matches answers for one id first-in, first-out', async () => {
    const internals = fakeInternals();
    const stream = new StoreSendStream(internals, { operation: 'eventsStore.send', maxQueued: 100 });
    const a = stream.send(ev('audit', 1, 'same'));
    const b = stream.send(ev('bad', 2, 'same'));
    await settle();
    const call = internals.calls[0]! as FakeCall<WireEvent, Result>;
    call.observer.next({ EventID: 'same', Sent: true, Error: '' });
    call.observer.next({ EventID: 'same', Sent: false, Error: 'boom' });
    await expect(a).resolves.toEqual({ id: 'same', sent: true });
    await expect(b).rejects.toMatchObject({ code: 'BROKER' });
  });

  it('keeps matching one id first-in, first-out as sends for it come and go, and forgets it once all are answered', async () => {
    const internals = fakeInternals();
    const stream = new StoreSendStream(internals, { operation: 'eventsStore.send', maxQueued: 100 });
    const a = stream.send(ev('audit', 1, 'same'));
    const b = stream.send(ev('audit', 2, 'same'));
    await settle();
    const call = internals.calls[0]! as FakeCall<WireEvent, Result>;
    call.observer.next({ EventID: 'same', Sent: true, Error: '' });
    await expect(a).resolves.toEqual({ id: 'same', sent: true });
    const c = stream.send(ev('audit', 3, 'same'));
    await settle();
    call.observer.next({ EventID: 'same', Sent: true, Error: '' });
    call.observer.next({ EventID: 'same', Sent: false, Error: 'boom' });
    await expect(b).resolves.toEqual({ id: 'same', sent: true });
    await expect(c).rejects.toMatchObject({ code: 'BROKER' });
    call.observer.next({ EventID: 'same', Sent: true, Error: '' });
    expect(internals.warnings).toEqual([['eventsStore.send: an answer for an unknown event same', { eventId: 'same' }]]);
  });

  it('a break fails every unanswered send, those sharing an id included', async () => {
    const internals = fakeInternals();
    const stream = new StoreSendStream(internals, { operation: 'eventsStore.send', maxQueued: 100 });
    const sends = [stream.send(ev('audit', 1, 'same')), stream.send(ev('audit', 2, 'same')), stream.send(ev('audit', 3))];
    await settle();
    internals.calls[0]!.fail();
    for (const send of sends) await expect(send).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
  });

  it('a break fails the unanswered sends and the next send re-opens', async () => {
    const internals = fakeInternals();
    const stream = new StoreSendStream(internals, { operation: 'eventsStore.send', maxQueued: 100 });
    const a = stream.send(ev('audit', 1));
    await settle();
    internals.calls[0]!.fail();
    await expect(a).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    const b = stream.send(ev('audit', 2));
    await settle();
    expect(internals.calls).toHaveLength(2);
    (internals.calls[1] as FakeCall<WireEvent, Result>).observer.next({ EventID: 'e2', Sent: true, Error: '' });
    await expect(b).resolves.toEqual({ id: 'e2', sent: true });
  });

  it('close() waits for outstanding answers, then half-closes', async () => {
    const internals = fakeInternals();
    const stream = new StoreSendStream(internals, { operation: 'eventsStore.stream', maxQueued: 100 });
    const a = stream.send(ev('audit', 1));
    await settle();
    const call = internals.calls[0]! as FakeCall<WireEvent, Result>;
    const closing = stream.close({ timeoutMs: 2000 });
    await settle();
    expect(call.ended).toBe(false);
    call.observer.next({ EventID: 'e1', Sent: true, Error: '' });
    await closing;
    await expect(a).resolves.toEqual({ id: 'e1', sent: true });
    expect(call.ended).toBe(true);
    expect(call.cancelled).toBe(false);
    await expect(stream.send(ev('audit', 2))).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('times out and honours abort', async () => {
    const internals = fakeInternals();
    const stream = new StoreSendStream(internals, { operation: 'eventsStore.send', maxQueued: 100 });
    await expect(stream.send(ev('audit', 1), { timeoutMs: 20 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    const ac = new AbortController();
    ac.abort();
    await expect(stream.send(ev('audit', 2), { signal: ac.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  describe('close()', () => {
    /** A stream with one event written and never answered, on a call the broker never ends. */
    async function stuck() {
      const internals = fakeInternals();
      const stream = new StoreSendStream(internals, { operation: 'eventsStore.stream', maxQueued: 100 });
      const unanswered = stream.send(ev('audit', 1), { timeoutMs: 600_000 });
      unanswered.catch(() => undefined);
      await settle();
      const call = internals.calls[0]! as FakeCall<WireEvent, Result>;
      call.completeOnEnd = false;
      return { stream, call, unanswered };
    }

    /** Tracks whether a close has resolved. */
    function watch(closing: Promise<void>): { done: boolean } {
      const state = { done: false };
      void closing.then(() => {
        state.done = true;
      });
      return state;
    }

    afterEach(() => {
      jest.useRealTimers();
    });

    it('timeoutMs bounds the whole close: one bound ends the wait for answers and for the end of the call alike', async () => {
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] });
      const { stream, call, unanswered } = await stuck();
      const closing = watch(stream.close({ timeoutMs: 1000 }));
      await settle();
      expect(closing.done).toBe(false);
      jest.advanceTimersByTime(999);
      await settle();
      expect(closing.done).toBe(false);
      // Bounded per phase, the close would now wait another 1000 ms for the broker to end the call.
      jest.advanceTimersByTime(1);
      await settle();
      expect(closing.done).toBe(true);
      expect(call.ended).toBe(true);
      expect(call.cancelled).toBe(true);
      await expect(unanswered).rejects.toMatchObject({ code: 'CLOSED', retryable: false });
    });

    it('defaults to the client\'s defaultTimeoutMs and ends early when its signal aborts', async () => {
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] });
      const { stream, call, unanswered } = await stuck();
      const ac = new AbortController();
      const closing = watch(stream.close({ signal: ac.signal }));
      jest.advanceTimersByTime(4999); // fakeInternals' defaultTimeoutMs is 5000
      await settle();
      expect(closing.done).toBe(false);
      ac.abort();
      await settle();
      expect(closing.done).toBe(true);
      expect(call.cancelled).toBe(true);
      await expect(unanswered).rejects.toMatchObject({ code: 'CLOSED' });
    });

    it('is idempotent, and a later call\'s shorter bound ends an earlier close too', async () => {
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] });
      const { stream } = await stuck();
      const first = watch(stream.close());
      const second = watch(stream.close({ timeoutMs: 10 }));
      jest.advanceTimersByTime(10);
      await settle();
      expect(first.done).toBe(true);
      expect(second.done).toBe(true);
      await expect(stream.close()).resolves.toBeUndefined();
      await expect(stream.send(ev('audit', 2))).rejects.toMatchObject({ code: 'CLOSED' });
    });

    it('timeoutMs 0 waits for nothing: unwritten events fail with CLOSED', async () => {
      const internals = fakeInternals();
      internals.ready = new Promise(() => undefined); // the client never gets ready: nothing is written
      const stream = new StoreSendStream(internals, { operation: 'eventsStore.stream', maxQueued: 100 });
      const queued = stream.send(ev('audit', 1));
      await stream.close({ timeoutMs: 0 });
      await expect(queued).rejects.toMatchObject({ code: 'CLOSED' });
      expect(internals.calls).toHaveLength(0);
    });
  });
});
