import { getEventListeners } from 'node:events';
import { KubemqError, textCodec, type KubemqClient } from '@kubemq/core';
import { attachInternals, brokerError, mapError, type EventReceive as WireEventReceive, type Subscribe } from '@kubemq/core/internal';
import { validationField } from '@kubemq/test-fakes';
import { eventChannel } from '../../src/index.js';
import { subscribeEvents } from '../../src/internal/subscribe/subscribe.js';
import type { EventReceive } from '../../src/internal/types.js';
import { fakeInternals, settle } from './fake-internals.js';

const wire = (id: string, tags: Record<string, string> = {}): WireEventReceive => ({
  EventID: id,
  Channel: 'orders.eu',
  Metadata: '',
  Body: Buffer.from(id),
  Timestamp: 0n,
  Sequence: 0n,
  Tags: tags,
});

describe('subscribeEvents (fake transport)', () => {
  it('opens one SubscribeToEvents call per subscriber with the right request, and cancels on unsubscribe', async () => {
    const internals = fakeInternals();
    const source = subscribeEvents(internals, { channel: 'orders.*', group: 'g' });
    expect(internals.streams).toHaveLength(0); // cold
    const got: EventReceive[] = [];
    const sub = source.subscribe((e) => got.push(e));
    await settle();
    expect(internals.streams).toHaveLength(1);
    expect(internals.streams[0]!.request as Subscribe).toMatchObject({
      SubscribeTypeData: 1,
      Channel: 'orders.*',
      Group: 'g',
      ClientID: 'test-client',
      EventsStoreTypeData: 0,
    });
    internals.streams[0]!.observer.next(wire('a'));
    expect(got.map((e) => e.id)).toEqual(['a']);
    sub.unsubscribe();
    expect(internals.streams[0]!.cancelled).toBe(true);
  });

  it('drops readiness probes (any token); every other event is delivered, also for await', async () => {
    const internals = fakeInternals();
    const got: string[] = [];
    const sub = subscribeEvents(internals, { channel: 'orders.*' }).subscribe((e) => got.push(e.id));
    const iterated: string[] = [];
    const loop = (async () => {
      for await (const e of subscribeEvents(internals, { channel: 'orders.*' })) {
        iterated.push(e.id);
        if (iterated.length === 2) break;
      }
    })();
    await settle();
    for (const stream of internals.streams) {
      stream.observer.next(wire('a'));
      stream.observer.next(wire('probe', { 'x-kubemq-events-probe': 'some-listener' }));
      stream.observer.next(wire('b', { 'x-kubemq-events-probe-like': 'not a probe' }));
    }
    await loop;
    expect(got).toEqual(['a', 'b']);
    expect(iterated).toEqual(['a', 'b']);
    sub.unsubscribe();
  });

  it.each<[string, KubemqError]>([
    ['a retryable error', new KubemqError({ code: 'UNAVAILABLE', message: 'gone', operation: 'x', retryable: true })],
    ['a CANCELLED the broker sent while shutting down', mapError({ code: 1, details: 'Call cancelled', metadata: {} }, { operation: 'x' }, { cancelRequested: false })],
    [
      'an INTERNAL from a broker process that exited mid-call',
      mapError({ code: 13, details: 'Received RST_STREAM with code 0 (Call ended without gRPC status)', metadata: {} }, { operation: 'x' }),
    ],
  ])('re-opens after %s and keeps delivering', async (_name, err) => {
    const internals = fakeInternals();
    const got: string[] = [];
    const errors: unknown[] = [];
    const sub = subscribeEvents(internals, { channel: 'orders' }).subscribe({ next: (e) => got.push(e.id), error: (e) => errors.push(e) });
    await settle();
    internals.streams[0]!.observer.next(wire('a'));
    internals.streams[0]!.observer.error(err);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(internals.streams).toHaveLength(2);
    internals.streams[1]!.observer.next(wire('b'));
    expect(got).toEqual(['a', 'b']);
    expect(errors).toEqual([]);
    sub.unsubscribe();
  });

  it('re-opens when the server ends the stream (an endless subscription never completes normally)', async () => {
    const internals = fakeInternals();
    const sub = subscribeEvents(internals, { channel: 'orders' }).subscribe();
    await settle();
    internals.streams[0]!.observer.complete();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(internals.streams).toHaveLength(2);
    sub.unsubscribe();
  });

  it('ends with a permanent broker error (e.g. a validation error) instead of retrying', async () => {
    const internals = fakeInternals();
    const errors: KubemqError[] = [];
    subscribeEvents(internals, { channel: 'orders' }).subscribe({ error: (e: KubemqError) => errors.push(e) });
    await settle();
    internals.streams[0]!.observer.error(brokerError('Error 102: invalid channel value, cannot be empty', { operation: 'events.subscribe' }));
    await settle();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'VALIDATION', brokerCode: 102 });
    expect(internals.streams).toHaveLength(1);
  });

  it('throws a ValidationError before opening anything', () => {
    const internals = fakeInternals();
    expect(() => subscribeEvents(internals, { channel: 'a b' })).toThrow(expect.objectContaining({ field: 'channel' }));
    expect(internals.serverStreamCalls).toBe(0);
  });
});

describe('subscribeEvents: signal', () => {
  const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

  it('ends a for await loop waiting for an event, without an error: its stream is cancelled and the abort listener removed', async () => {
    const internals = fakeInternals();
    const controller = new AbortController();
    const got: string[] = [];
    const loop = (async () => {
      for await (const e of subscribeEvents(internals, { channel: 'orders', signal: controller.signal })) got.push(e.id);
      return 'ended';
    })();
    await settle();
    internals.streams[0]!.observer.next(wire('a'));
    await settle();
    expect(listeners(controller.signal)).toBe(1);
    controller.abort();
    await expect(loop).resolves.toBe('ended');
    expect(got).toEqual(['a']);
    expect(internals.streams[0]!.cancelled).toBe(true);
    expect(listeners(controller.signal)).toBe(0);
  });

  it('completes a subscriber; already aborted, it completes at once and opens no stream', async () => {
    const internals = fakeInternals();
    const controller = new AbortController();
    const ends: string[] = [];
    subscribeEvents(internals, { channel: 'orders', signal: controller.signal }).subscribe({ error: () => ends.push('error'), complete: () => ends.push('complete') });
    await settle();
    controller.abort();
    expect(ends).toEqual(['complete']);
    expect(internals.streams[0]!.cancelled).toBe(true);

    const aborted = subscribeEvents(internals, { channel: 'orders', signal: AbortSignal.abort() });
    aborted.subscribe({ complete: () => ends.push('complete at once') });
    expect(ends).toEqual(['complete', 'complete at once']);
    for await (const _ of aborted) throw new Error('no event');
    await settle();
    expect(internals.streams).toHaveLength(1);
  });

  it('removes the abort listener when the subscription ends otherwise (many subscriptions on one long-lived signal)', async () => {
    const internals = fakeInternals();
    const { signal } = new AbortController();
    for (let i = 0; i < 10; i++) {
      subscribeEvents(internals, { channel: 'orders', signal }).subscribe().unsubscribe();
      const loop = (async () => {
        for await (const _ of subscribeEvents(internals, { channel: 'orders', signal })) break;
      })();
      await settle();
      internals.streams.at(-1)!.observer.next(wire('a'));
      await loop;
    }
    expect(listeners(signal)).toBe(0);
  });

  it('a typed channel takes it too', async () => {
    const client = {} as KubemqClient;
    attachInternals(client, fakeInternals());
    const controller = new AbortController();
    const loop = (async () => {
      for await (const _ of eventChannel(client, { channel: 'orders', codec: textCodec() }).subscribe({ signal: controller.signal })) throw new Error('no event');
      return 'ended';
    })();
    await settle();
    controller.abort();
    await expect(loop).resolves.toBe('ended');
    expect(listeners(controller.signal)).toBe(0);
  });

  it('refuses a signal that is no AbortSignal', () => {
    expect(validationField(() => subscribeEvents(fakeInternals(), { channel: 'orders', signal: 'stop' as never }))).toBe('signal');
  });
});
