import { DecodeError, jsonCodec, textCodec, type KubemqClient } from '@kubemq/core';
import { eventually, sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { eventsStore, eventStoreChannel, StartPosition } from '../../src/index.js';
import { collect, connect } from './helpers.js';

interface Login {
  user: number;
}
const isLogin = (v: unknown): Login => {
  if (typeof (v as Login)?.user !== 'number') throw new TypeError('not a Login');
  return v as Login;
};

describe('typed events-store channels (integration)', () => {
  let client: KubemqClient;
  beforeAll(async () => {
    client = await connect(sharedBroker().address);
  });
  afterAll(async () => {
    await client?.close();
  });

  it('a for await loop over a typed replay that falls bufferSize behind pauses and reads on', async () => {
    const channel = uniqueChannel('es.typed.slow');
    const counts = eventStoreChannel(client, { channel, codec: jsonCodec<number>() });
    for (let i = 1; i <= 120; i++) await counts.send({ value: i });
    const seen: number[] = [];
    for await (const e of counts.subscribe({ startAt: StartPosition.fromFirst(), bufferSize: 10 })) {
      if (e.ok) seen.push(e.value);
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (seen.length === 120) break;
    }
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  }, 60_000);

  it('stores values and replays them decoded, in order, with an undecodable one flagged in its place', async () => {
    const channel = uniqueChannel('es.typed');
    const logins = eventStoreChannel(client, { channel, codec: jsonCodec<Login>({ validate: isLogin }) });
    await logins.send({ value: { user: 1 }, metadata: 'first' });
    await eventsStore(client).send({ channel, body: 'garbage' });
    await logins.send({ value: { user: 3 }, tags: { k: 'v' } });
    const replay = collect(logins.subscribe({ startAt: StartPosition.fromFirst() }));
    try {
      const items = await eventually(() => {
        expect(replay.items).toHaveLength(3);
        return replay.items;
      });
      expect(items.map((e) => e.sequence)).toEqual([1, 2, 3]);
      expect(items[0]).toMatchObject({ ok: true, value: { user: 1 }, metadata: 'first' });
      expect(items[1]?.ok).toBe(false);
      expect(items[1]?.decodeError).toBeInstanceOf(DecodeError);
      expect(items[1]?.decodeError).toMatchObject({ code: 'DECODE_FAILED', operation: 'eventsStore.subscribe', channel, messageId: items[1]?.id });
      expect(items[2]).toMatchObject({ ok: true, value: { user: 3 }, tags: { k: 'v' } });
      // The subscription goes on after the bad event: a live one arrives too.
      await logins.send({ value: { user: 4 } });
      await eventually(() => expect(replay.items.map((e) => e.value?.user)).toEqual([1, undefined, 3, 4]));
      expect(replay.errors).toEqual([]);
    } finally {
      replay.sub.unsubscribe();
    }
  });

  it('refuses a value the codec rejects (nothing stored), and bad options, naming the field', async () => {
    const channel = uniqueChannel('es.typed.refused');
    const logins = eventStoreChannel(eventsStore(client, { sendMode: 'unary' }), { channel, codec: jsonCodec<Login>({ validate: isLogin }) });
    await expect(logins.send({ value: { user: 'x' } as unknown as Login })).rejects.toMatchObject({ name: 'ValidationError', field: 'value', operation: 'eventsStore.send' });
    await expect(logins.send(undefined as never)).rejects.toMatchObject({ field: 'event' });
    await logins.send({ value: { user: 9 } });
    const replay = collect(logins.subscribe({ startAt: StartPosition.fromFirst() }));
    try {
      await eventually(() => expect(replay.items.map((e) => e.value)).toEqual([{ user: 9 }]));
    } finally {
      replay.sub.unsubscribe();
    }
    expect(() => eventStoreChannel(client, { channel: 42 as never, codec: textCodec() })).toThrow(expect.objectContaining({ field: 'channel' }));
    expect(() => eventStoreChannel(client, { channel, codec: { encode: () => '' } as never })).toThrow(
      expect.objectContaining({ field: 'codec', operation: 'eventsStore.channel' }),
    );
  });
});
