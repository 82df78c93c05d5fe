// Events store (broker-behaviour.md §2.2, §6) through raw gRPC.
import * as grpc from '@grpc/grpc-js';
import type { KubemqEmulator } from '../../src/emulator.js';
import type { EventReceive, Subscribe_EventsStoreType, kubemqClient } from '../../src/generated/kubemq.js';
import { DEFAULT_REGISTRATION_DELAY_MS } from '../../src/config.js';
import * as E from '../../src/service/errors.js';
import { call, collect, connect, event, sleep, startEmulator, subscription, unique, until } from './support/harness.js';

let emu: KubemqEmulator;
let c: kubemqClient;
beforeAll(async () => {
  emu = await startEmulator({ clientIdReleaseMs: 100 });
  c = connect(emu.address);
});
afterAll(async () => {
  c.close();
  await emu.stop();
});

const id = (p: string) => unique(p).replace(/[^a-zA-Z0-9_-]/g, '_');
const store = (channel: string, body: string) => call(c.sendEvent.bind(c), event({ Channel: channel, Body: Buffer.from(body), Store: true }));
const open = (clientId: string, channel: string, type: number, value = 0n, group = '') => {
  const s = c.subscribeToEvents(subscription({ SubscribeTypeData: 2, ClientID: clientId, Channel: channel, Group: group, EventsStoreTypeData: type as Subscribe_EventsStoreType, EventsStoreTypeValue: value }));
  s.on('error', () => undefined); // cancelled by the test
  return s;
};
const seqs = (items: EventReceive[]) => items.map((e) => Number(e.Sequence));

describe('events store', () => {
  let ch: string;
  let before: bigint;
  beforeAll(async () => {
    ch = unique('es');
    before = BigInt(Date.now()) * 1_000_000n - 1n;
    for (let i = 1; i <= 5; i++) expect((await store(ch, `e${i}`)).Sent).toBe(true);
  });

  it.each([
    ['StartFromFirst', 2, 0n, [1, 2, 3, 4, 5]],
    ['StartAtSequence 3', 4, 3n, [3, 4, 5]],
    ['StartFromLast', 3, 0n, [5]],
    ['StartAtTimeDelta 60 s', 6, 60n, [1, 2, 3, 4, 5]],
  ])('%s', async (_n, type, value, expected) => {
    const s = open(id('pos'), ch, type, value as bigint);
    const got = collect(s);
    await got.count(expected.length);
    await sleep(50);
    expect(seqs(got.items)).toEqual(expected);
    const e = got.items[0]!;
    expect(e.Channel).toBe(ch);
    expect(e.Timestamp > before).toBe(true); // Unix ns
    s.cancel();
  });

  it('StartAtTime in ns replays all; a future time delivers nothing until new events', async () => {
    const all = collect(open(id('t'), ch, 5, before));
    await all.count(5);
    const future = open(id('f'), ch, 5, BigInt(Date.now() + 3_600_000) * 1_000_000n);
    const got = collect(future);
    await sleep(100);
    expect(got.items).toHaveLength(0);
    future.cancel();
  });

  it('StartAtSequence beyond the last starts with the next new event (§6)', async () => {
    const chan = unique('beyond');
    for (let i = 0; i < 2; i++) await store(chan, 'x');
    const s = open(id('b'), chan, 4, 99n);
    const got = collect(s);
    await sleep(DEFAULT_REGISTRATION_DELAY_MS + 200); // the subscription is in place a while after the call
    await store(chan, 'new');
    await got.count(1);
    expect(seqs(got.items)).toEqual([3]);
    s.cancel();
  });

  it('resumes a durable by ClientID and ignores the new start position', async () => {
    const chan = unique('dur');
    const client = id('durable');
    for (let i = 0; i < 3; i++) await store(chan, `a${i}`);
    const first = open(client, chan, 2);
    await collect(first).count(3);
    first.cancel();
    await store(chan, 'b0');
    await store(chan, 'b1');
    let second: grpc.ClientReadableStream<EventReceive>;
    let got: ReturnType<typeof collect<EventReceive>>;
    // The id is released asynchronously after a cancel (§2.2): retry while it is still registered.
    for (;;) {
      second = open(client, chan, 2);
      got = collect(second);
      let ended: { code: number; details: string } | undefined;
      void got.status.then((s) => (ended = s));
      await until(() => got.items.length >= 2 || ended !== undefined);
      if (!ended) break;
      expect(ended.details).toBe(E.STAN_CLIENT_ID_REGISTERED);
      await sleep(50);
    }
    expect(seqs(got.items)).toEqual([4, 5]);
    second.cancel();
  });

  it('refuses a second live subscription with the same ClientID before validating it (§6)', async () => {
    const client = id('dup');
    const live = open(client, unique('one'), 1);
    await sleep(50);
    const other = collect(open(client, '', 4, 0n)); // empty channel and sequence 0: no 102/112
    expect(await other.status).toEqual({ code: grpc.status.INTERNAL, details: E.STAN_CLIENT_ID_REGISTERED });
    live.cancel();
  });

  it('checks ClientID characters and colons in grouped durables with the stan texts', async () => {
    const bad = collect(open('bad.id', unique('x'), 1));
    expect(await bad.status).toEqual({ code: grpc.status.INTERNAL, details: E.STAN_INVALID_CLIENT_ID });
    const colon = collect(open(id('colon'), 'a:b', 1, 0n, 'g'));
    expect(await colon.status).toEqual({ code: grpc.status.INTERNAL, details: E.STAN_DURABLE_COLON });
    const ok = open(id('colon2'), 'a:b', 1);
    const okGot = collect(ok);
    await sleep(50);
    ok.cancel();
    expect((await okGot.status).code).toBe(grpc.status.CANCELLED);
  });

  it('validates after registering: 111 and 112', async () => {
    const s = collect(open(id('v'), unique('v'), 0));
    expect(await s.status).toEqual({ code: grpc.status.INTERNAL, details: E.ERR_111_SUBSCRIPTION_TYPE });
    const t = collect(open(id('v'), unique('v'), 4, 0n));
    expect(await t.status).toEqual({ code: grpc.status.INTERNAL, details: E.ERR_112_START_SEQUENCE });
  });

  it('shares a grouped durable across ClientIDs', async () => {
    const chan = unique('grp');
    const a = open(id('ga'), chan, 2, 0n, 'workers');
    const b = open(id('gb'), chan, 2, 0n, 'workers');
    const ga = collect(a);
    const gb = collect(b);
    await sleep(50);
    for (let i = 0; i < 10; i++) await store(chan, `w${i}`);
    await until(() => ga.items.length + gb.items.length === 10);
    expect([...seqs(ga.items), ...seqs(gb.items)].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    a.cancel();
    b.cancel();
  });

  it('answers Sent:true for a channel stan refuses, and stores nothing (§2.2)', async () => {
    const r = await store(`${unique('slash')}/x`, 'lost');
    expect(r).toMatchObject({ Sent: true, Error: '' });
  });
});

describe('events store publisher broken by a control character (§6)', () => {
  it('fails every later events-store send with nats: connection closed, events still work', async () => {
    const own = await startEmulator();
    const k = connect(own.address);
    try {
      const ok = await call(k.sendEvent.bind(k), event({ Channel: 'fine', Store: true }));
      expect(ok.Sent).toBe(true);
      const breaking = await call(k.sendEvent.bind(k), event({ Channel: 'a\tb', Store: true }));
      expect(breaking.Sent).toBe(true);
      const after = await call(k.sendEvent.bind(k), event({ Channel: 'fine', Store: true, EventID: 'e1' }));
      expect(after).toEqual({ EventID: 'e1', Sent: false, Error: E.NATS_CONNECTION_CLOSED });
      const stream = k.sendEventsStream();
      const results = collect(stream);
      stream.write(event({ Channel: 'fine', Store: true, EventID: 'e2' }));
      stream.end();
      await results.status;
      expect(results.items).toEqual([{ EventID: 'e2', Sent: false, Error: E.NATS_CONNECTION_CLOSED }]);
      expect((await call(k.sendEvent.bind(k), event({ Channel: 'fine' }))).Sent).toBe(true);
    } finally {
      k.close();
      await own.stop();
    }
  });
});
