import { bytesCodec, DecodeError, jsonCodec, textCodec, type KubemqClient } from '@kubemq/core';
import { eventually, probeUntil, sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { eventChannel, eventListener, events, type TypedEventReceive } from '../../src/index.js';
import { collect, connect } from './helpers.js';

const PROBE = 'probe';
interface Order {
  id: number;
  total: number;
}
const isOrder = (v: unknown): Order => {
  const o = v as Order;
  if (typeof o?.id !== 'number' || typeof o.total !== 'number') throw new TypeError('not an Order');
  return o;
};

describe('typed events channels (integration)', () => {
  let client: KubemqClient;
  beforeAll(async () => {
    client = await connect(sharedBroker().address, 'events-typed');
  });
  afterAll(async () => {
    await client?.close();
  });

  /** Untyped probes (metadata only) until every subscriber has seen one. */
  const ready = (channel: string, ...received: TypedEventReceive<unknown>[][]) =>
    probeUntil(
      () => events(client).send({ channel, metadata: PROBE }),
      () => received.every((items) => items.some((e) => e.metadata === PROBE)),
      { timeoutMs: 15_000 },
    );
  const payloads = <T>(items: TypedEventReceive<T>[]) => items.filter((e) => e.metadata !== PROBE);

  it('sends values and delivers them decoded, with metadata, tags and id kept', async () => {
    const channel = uniqueChannel('ev.typed');
    const orders = eventChannel(client, { channel, codec: jsonCodec<Order>({ validate: isOrder }) });
    const sub = collect(orders.subscribe());
    try {
      await ready(channel, sub.items);
      const result = await orders.send({ value: { id: 7, total: 12.5 }, metadata: 'm', tags: { region: 'eu' }, id: 'order-7' });
      expect(result).toEqual({ id: 'order-7', sent: true });
      const [got] = await eventually(() => {
        const items = payloads(sub.items);
        expect(items).toHaveLength(1);
        return items;
      });
      expect(got).toMatchObject({ ok: true, value: { id: 7, total: 12.5 }, id: 'order-7', channel, metadata: 'm', tags: { region: 'eu' } });
      expect(got?.text()).toBe('{"id":7,"total":12.5}');
    } finally {
      sub.sub.unsubscribe();
    }
  });

  it('delivers a body the codec cannot decode as that event\'s DecodeError, and the subscription goes on', async () => {
    const channel = uniqueChannel('ev.typed.bad');
    const orders = eventChannel(client, { channel, codec: jsonCodec<Order>({ validate: isOrder }) });
    const sub = collect(orders.subscribe());
    try {
      await ready(channel, sub.items);
      const notJson = await events(client).send({ channel, body: 'not json' });
      const notOrder = await events(client).send({ channel, body: '{"id":"x"}' });
      const good = await orders.send({ value: { id: 1, total: 2 } });
      const items = await eventually(() => {
        const got = payloads(sub.items);
        expect(got).toHaveLength(3);
        return got;
      });
      const byId = new Map(items.map((e) => [e.id, e]));
      for (const id of [notJson.id, notOrder.id]) {
        const bad = byId.get(id);
        expect(bad?.ok).toBe(false);
        expect(bad?.decodeError).toBeInstanceOf(DecodeError);
        expect(bad?.decodeError).toMatchObject({ code: 'DECODE_FAILED', codec: 'json', messageId: id, channel });
      }
      expect(byId.get(notOrder.id)?.decodeError?.message).toContain('not an Order');
      expect(byId.get(good.id)).toMatchObject({ ok: true, value: { id: 1, total: 2 } });
      expect(sub.errors).toEqual([]);
    } finally {
      sub.sub.unsubscribe();
    }
  });

  it('refuses a value the codec rejects with a ValidationError naming value, and sends nothing', async () => {
    const channel = uniqueChannel('ev.typed.refused');
    const orders = eventChannel(client, { channel, codec: jsonCodec<Order>({ validate: isOrder }) });
    const sub = collect(orders.subscribe());
    try {
      await ready(channel, sub.items);
      await expect(orders.send({ value: { id: 'nope' } as unknown as Order, id: 'refused' })).rejects.toMatchObject({
        name: 'ValidationError',
        field: 'value',
        operation: 'events.send',
        channel,
      });
      await expect(orders.send(null as never)).rejects.toMatchObject({ name: 'ValidationError', field: 'event' });
      const after = await orders.send({ value: { id: 2, total: 3 } });
      await eventually(() => expect(payloads(sub.items).map((e) => e.id)).toContain(after.id));
      expect(payloads(sub.items).map((e) => e.id)).toEqual([after.id]);
    } finally {
      sub.sub.unsubscribe();
    }
  });

  it('text and bytes codecs; a wildcard channel subscribes and a group splits the events', async () => {
    const base = uniqueChannel('ev.typed.wild');
    const lines = eventChannel(events(client), { channel: `${base}.*`, codec: textCodec() });
    const members = [collect(lines.subscribe({ group: 'g' })), collect(lines.subscribe({ group: 'g' }))];
    const raw = eventChannel(client, { channel: `${base}.raw`, codec: bytesCodec() });
    const bytes = collect(raw.subscribe());
    try {
      await probeUntil(
        () => events(client).send({ channel: `${base}.raw`, metadata: PROBE }),
        () => members.some((m) => m.items.some((e) => e.metadata === PROBE)) && bytes.items.some((e) => e.metadata === PROBE),
        { timeoutMs: 15_000 },
      );
      await expect(lines.send({ value: 'x' })).rejects.toMatchObject({ name: 'ValidationError', field: 'channel' });
      const text = eventChannel(client, { channel: `${base}.text`, codec: textCodec() });
      for (let i = 0; i < 10; i++) await text.send({ value: `line ${i}` });
      await raw.send({ value: new Uint8Array([0, 1, 255]) });
      await eventually(() => {
        const got = members.flatMap((m) => payloads(m.items)).filter((e) => e.channel === `${base}.text`);
        expect(got.map((e) => e.value).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i}`).sort());
      });
      await eventually(() => expect(payloads(bytes.items).map((e) => [...(e.value ?? [])])).toEqual([[0, 1, 255]]));
    } finally {
      for (const m of [...members, bytes]) m.sub.unsubscribe();
    }
  });

  it('listen(): the handler gets decoded values (and a DecodeError for a bad body), after ready()', async () => {
    const channel = uniqueChannel('ev.typed.listen');
    const orders = eventChannel(client, { channel, codec: jsonCodec<Order>({ validate: isOrder }) });
    const got: TypedEventReceive<Order>[] = [];
    const listener = eventListener(orders, { concurrency: 1 }, (event) => void got.push(event));
    try {
      await listener.ready();
      const good = await orders.send({ value: { id: 3, total: 4 } });
      const bad = await events(client).send({ channel, body: '{"id":"x"}' });
      await eventually(() => expect(got.map((e) => e.id)).toEqual([good.id, bad.id]));
      expect(got[0]).toMatchObject({ ok: true, value: { id: 3, total: 4 } });
      expect(got[1]).toMatchObject({ ok: false });
      expect(got[1]?.decodeError).toBeInstanceOf(DecodeError);
      expect(listener.stats).toMatchObject({ received: 2, handled: 2, handlerErrors: 0 });
      expect(() => eventListener(orders, null as never, () => undefined)).toThrow(expect.objectContaining({ field: 'options' }));
    } finally {
      await listener.stop();
    }
  });

  it('refuses a channel without a codec, naming it', () => {
    expect(() => eventChannel(client, { channel: 'x', codec: undefined as never })).toThrow(expect.objectContaining({ field: 'codec' }));
    expect(() => eventChannel({} as never, { channel: 'x', codec: textCodec() })).toThrow(expect.objectContaining({ field: 'client' }));
  });
});
