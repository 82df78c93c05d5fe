import { KubemqError } from '@kubemq/core';
import type { Event as WireEvent, Result } from '@kubemq/core/internal';
import { buildEvent } from '../../src/internal/send/build-event.js';
import { EventsSendStream, isMarkerId } from '../../src/internal/send/send-stream.js';
import { fakeInternals, settle, type FakeCall } from './fake-internals.js';

/** Behaves like the broker: Store=false events are answered only on error, in order. */
function broker(rejectChannel = 'bad.channel') {
  return (req: WireEvent, call: FakeCall<WireEvent, Result>) => {
    if (req.Channel === '') call.observer.next({ EventID: req.EventID, Sent: false, Error: 'Error 102: invalid channel value, cannot be empty' });
    else if (req.Channel === rejectChannel) call.observer.next({ EventID: req.EventID, Sent: false, Error: 'nats: connection closed' });
  };
}

const ev = (channel: string, n: number) => buildEvent({ channel, body: `b${n}`, id: `e${n}` }, 'test-client');

describe('EventsSendStream (events, Store=false)', () => {
  it('confirms a burst of sends with one marker the broker rejects', async () => {
    const internals = fakeInternals(broker() as never);
    const stream = new EventsSendStream(internals, { operation: 'events.send', maxQueued: 100 });
    const sends = Array.from({ length: 50 }, (_, i) => stream.send(ev('ok', i)));
    await expect(Promise.all(sends)).resolves.toHaveLength(50);
    const written = internals.calls[0]!.written as WireEvent[];
    expect(internals.calls).toHaveLength(1);
    expect(written.filter((w) => !isMarkerId(w.EventID))).toHaveLength(50);
    expect(written.filter((w) => isMarkerId(w.EventID)).length).toBeLessThanOrEqual(2);
    // the marker carries nothing that could be published
    const marker = written.find((w) => isMarkerId(w.EventID))!;
    expect(marker).toMatchObject({ Channel: '', Metadata: '', Store: false });
    expect(marker.Body.length).toBe(0);
  });

  it('rejects exactly the event the broker rejected, with the broker error', async () => {
    const internals = fakeInternals(broker() as never);
    const stream = new EventsSendStream(internals, { operation: 'events.send', maxQueued: 100 });
    const results = await Promise.allSettled([stream.send(ev('ok', 1)), stream.send(ev('bad.channel', 2)), stream.send(ev('ok', 3))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const err = (results[1] as PromiseRejectedResult).reason;
    expect(err).toMatchObject({ code: 'UNAVAILABLE', retryable: true, operation: 'events.send', channel: 'bad.channel' });
  });

  it('a break fails what was unconfirmed (retryable) and the next send opens a new call', async () => {
    const internals = fakeInternals(); // a broker that never answers
    const stream = new EventsSendStream(internals, { operation: 'events.send', maxQueued: 100 });
    const first = stream.send(ev('ok', 1));
    await settle();
    internals.calls[0]!.fail();
    await expect(first).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    const second = stream.send(ev('ok', 2));
    await settle();
    expect(internals.calls).toHaveLength(2);
    const call = internals.calls[1]! as FakeCall<WireEvent, Result>;
    const marker = call.written.find((w) => isMarkerId(w.EventID))!;
    call.observer.next({ EventID: marker.EventID, Sent: false, Error: 'Error 102' });
    await expect(second).resolves.toBeUndefined();
  });

  it("a broker with a lower size limit: the event over it fails with the broker's error, the others written retryably; a fire-and-forget write over it shows at the next flush; later ones are refused before sending", async () => {
    const limit = 4096;
    // What the open-source server does with an event over its GRPC_BODY_LIMIT (mapped by core).
    const refusing = (req: WireEvent, call: FakeCall<WireEvent, Result>) => {
      if (req.Body.length <= limit) return broker()(req, call);
      call.fail(new KubemqError({ code: 'RESOURCE_EXHAUSTED', operation: 'events.send', message: `events.send failed: rpc error: code = ResourceExhausted desc = grpc: received message larger than max (${req.Body.length + 60} vs. ${limit})` }));
    };
    const big = () => buildEvent({ channel: 'ok', body: new Uint8Array(10_000) }, 'test-client');
    const internals = fakeInternals(refusing as never);
    const stream = new EventsSendStream(internals, { operation: 'events.send', maxQueued: 100 });
    const results = await Promise.allSettled([stream.send(ev('ok', 1)), stream.send(big()), stream.send(ev('ok', 3))]);
    expect(results[1]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ code: 'RESOURCE_EXHAUSTED', retryable: false }) });
    for (const i of [0, 2]) expect(results[i]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ code: 'UNAVAILABLE', retryable: true }) });
    await expect(stream.send(big())).rejects.toMatchObject({ code: 'VALIDATION', field: 'event', operation: 'events.send' });
    await expect(stream.write(big())).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(stream.send(ev('ok', 4))).resolves.toBeUndefined();
    expect(internals.calls).toHaveLength(2);

    // A stream handle's write() resolves once written: the break shows at the next flush (retryable).
    const other = fakeInternals(refusing as never);
    const handle = new EventsSendStream(other, { operation: 'events.stream', maxQueued: 100 });
    await handle.write(big());
    await settle();
    await expect(handle.flush()).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true, message: expect.stringContaining('1 event(s)') as string });
    await expect(handle.write(big())).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('waits for the transport to drain before writing more', async () => {
    const internals = fakeInternals(broker() as never);
    const stream = new EventsSendStream(internals, { operation: 'events.send', maxQueued: 100 });
    const p1 = stream.send(ev('ok', 1));
    await settle();
    const call = internals.calls[0]! as FakeCall<WireEvent, Result>;
    await p1;
    call.highWaterMark = 2;
    const sends = [2, 3, 4, 5].map((n) => stream.send(ev('ok', n)));
    await settle();
    const eventsWritten = () => call.written.filter((w) => !isMarkerId(w.EventID)).length;
    expect(eventsWritten()).toBeLessThan(5);
    call.drain();
    await settle();
    call.drain();
    await settle();
    call.drain();
    await Promise.all(sends);
    expect(eventsWritten()).toBe(5);
  });

  it('times out a send the broker never confirms', async () => {
    const internals = fakeInternals();
    const stream = new EventsSendStream(internals, { operation: 'events.send', maxQueued: 100 });
    await expect(stream.send(ev('ok', 1), { timeoutMs: 30 })).rejects.toMatchObject({ code: 'TIMEOUT', timeoutMs: 30 });
  });

  it('an aborted send that is still queued is never written', async () => {
    const internals = fakeInternals();
    let release!: () => void;
    internals.ready = new Promise((resolve) => (release = resolve));
    const stream = new EventsSendStream(internals, { operation: 'events.send', maxQueued: 100 });
    const ac = new AbortController();
    const p = stream.send(ev('ok', 1), { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    release();
    await settle();
    const written = internals.calls[0]?.written ?? [];
    expect((written as WireEvent[]).filter((w) => !isMarkerId(w.EventID))).toHaveLength(0);
  });

  it('refuses with BUFFER_FULL past maxQueued while not connected, never dropping silently', async () => {
    const internals = fakeInternals();
    internals.ready = new Promise(() => undefined);
    const stream = new EventsSendStream(internals, { operation: 'events.send', maxQueued: 2 });
    void stream.send(ev('ok', 1)).catch(() => undefined);
    void stream.send(ev('ok', 2)).catch(() => undefined);
    await expect(stream.send(ev('ok', 3))).rejects.toMatchObject({ code: 'BUFFER_FULL' });
  });

  it('write() + flush() report untracked failures through onFailure', async () => {
    const failures: string[] = [];
    const internals = fakeInternals(broker() as never);
    const stream = new EventsSendStream(internals, {
      operation: 'events.stream',
      maxQueued: 100,
      onFailure: (id: string) => failures.push(id),
    });
    await stream.write(ev('ok', 1));
    await stream.write(ev('bad.channel', 2));
    await stream.write(ev('ok', 3));
    await stream.flush();
    expect(failures).toEqual(['e2']);
  });

  it('close() flushes, half-closes and waits for the server to end the call', async () => {
    const internals = fakeInternals(broker() as never);
    const stream = new EventsSendStream(internals, { operation: 'events.stream', maxQueued: 100 });
    const w = stream.write(ev('ok', 1));
    await stream.close({ timeoutMs: 1000 });
    await w;
    const call = internals.calls[0]!;
    expect(call.ended).toBe(true);
    expect(call.cancelled).toBe(false);
    await expect(stream.write(ev('ok', 2))).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

describe('EventsSendStream.write (stream handle)', () => {
  it('an event that cannot be written before its timeout is dropped from the queue, never written', async () => {
    const internals = fakeInternals();
    let release!: () => void;
    internals.ready = new Promise((resolve) => (release = resolve));
    const stream = new EventsSendStream(internals, { operation: 'events.stream', maxQueued: 100 });
    await expect(stream.write(ev('ok', 1), { timeoutMs: 20 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    const later = stream.write(ev('ok', 2));
    release();
    await later;
    const written = (internals.calls[0]!.written as WireEvent[]).filter((w) => !isMarkerId(w.EventID));
    expect(written.map((w) => w.EventID)).toEqual(['e2']);
  });

  it('writes straight through once the call is open, in order', async () => {
    const internals = fakeInternals(broker() as never);
    const stream = new EventsSendStream(internals, { operation: 'events.stream', maxQueued: 100 });
    await stream.write(ev('ok', 1));
    for (let i = 2; i <= 50; i++) await stream.write(ev('ok', i));
    await stream.flush();
    const written = (internals.calls[0]!.written as WireEvent[]).filter((w) => !isMarkerId(w.EventID));
    expect(written.map((w) => w.EventID)).toEqual(Array.from({ length: 50 }, (_, i) => `e${i + 1}`));
  });
});

describe('EventsSendStream.close', () => {
  /** A broker that answers nothing and never ends a call on its own. */
  function silentCall() {
    const internals = fakeInternals();
    const call = () => internals.calls[0] as FakeCall<WireEvent, Result>;
    return { internals, call };
  }

  afterEach(() => jest.useRealTimers());

  it('timeoutMs bounds the whole close (the flush and the end of the call together), then cancels', async () => {
    jest.useFakeTimers();
    const { internals, call } = silentCall();
    // The half-close is never answered either: end() does not complete the call.
    const stream = new EventsSendStream(internals, { operation: 'events.stream', maxQueued: 100 });
    await stream.write(ev('ok', 1));
    await jest.advanceTimersByTimeAsync(0);
    // The broker never ends the call after the half-close.
    call().end = function (this: FakeCall<WireEvent, Result>) {
      this.ended = true;
    };
    let closed = false;
    void stream.close({ timeoutMs: 1000 }).then(() => (closed = true));
    // The flush takes 600 ms of the bound: the broker answers the close marker then.
    await jest.advanceTimersByTimeAsync(600);
    const marker = call().written.filter((w) => isMarkerId(w.EventID)).at(-1)!;
    call().observer.next({ EventID: marker.EventID, Sent: false, Error: 'Error 102' });
    // The end of the call gets what is left (400 ms), not a bound of its own.
    await jest.advanceTimersByTimeAsync(399);
    expect(call().ended).toBe(true);
    expect(closed).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(closed).toBe(true);
    expect(call().cancelled).toBe(true);
  });

  it('an aborted signal cancels at once; timeoutMs 0 does not wait at all', async () => {
    for (const bound of [{ timeoutMs: 60_000, signal: AbortSignal.abort() }, { timeoutMs: 0 }]) {
      const { internals, call } = silentCall();
      const stream = new EventsSendStream(internals, { operation: 'events.stream', maxQueued: 100 });
      await stream.write(ev('ok', 1));
      await stream.close(bound);
      expect(call().cancelled).toBe(true);
      expect(call().ended).toBe(false);
    }
  });

  it('a signal that aborts while closing ends the wait', async () => {
    const { internals, call } = silentCall();
    const stream = new EventsSendStream(internals, { operation: 'events.stream', maxQueued: 100 });
    await stream.write(ev('ok', 1));
    const ac = new AbortController();
    const closing = stream.close({ timeoutMs: 60_000, signal: ac.signal });
    await settle();
    ac.abort();
    await closing;
    expect(call().cancelled).toBe(true);
  });

  it('says of each send it gives up on whether it was written: one written and unconfirmed may or may not have been published, one queued was never written', async () => {
    const { internals, call } = silentCall();
    const stream = new EventsSendStream(internals, { operation: 'events.send', maxQueued: 100 });
    const unconfirmed = stream.send(ev('ok', 1), { timeoutMs: 60_000 }).catch((e: unknown) => e);
    await settle();
    expect(call().written.map((w) => w.EventID)).toContain('e1');
    await stream.close({ timeoutMs: 0 });
    expect(await unconfirmed).toMatchObject({ code: 'CLOSED', message: expect.stringMatching(/may or may not have been published/) });

    const away = silentCall();
    away.internals.ready = new Promise(() => undefined);
    const other = new EventsSendStream(away.internals, { operation: 'events.send', maxQueued: 100 });
    const queued = other.send(ev('ok', 2), { timeoutMs: 60_000 }).catch((e: unknown) => e);
    await other.close({ timeoutMs: 0 });
    expect(await queued).toMatchObject({ code: 'CLOSED', message: 'events.send: the send stream was closed before the event was written' });
  });

  it('is idempotent, and fails sends still waiting for a verdict or to be written with CLOSED', async () => {
    const { internals } = silentCall();
    let release!: () => void;
    internals.ready = new Promise((resolve) => (release = resolve));
    const stream = new EventsSendStream(internals, { operation: 'events.send', maxQueued: 100 });
    const queued = stream.send(ev('ok', 1), { timeoutMs: 60_000 });
    const first = stream.close({ timeoutMs: 0 });
    expect(stream.close({ timeoutMs: 60_000 })).toBe(first);
    await first;
    await expect(queued).rejects.toMatchObject({ code: 'CLOSED' });
    release();
    await settle();
    expect(internals.calls).toHaveLength(0);
  });
});
