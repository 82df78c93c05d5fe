// Events (broker-behaviour.md §2.1, §3, §5.1, §6) through raw gRPC.
import * as grpc from '@grpc/grpc-js';
import type { KubemqEmulator } from '../../src/emulator.js';
import type { EventReceive, Result, kubemqClient } from '../../src/generated/kubemq.js';
import * as E from '../../src/service/errors.js';
import { call, capturingLogger, collect, connect, event, failure, holdBackUnreadClient, probe, startEmulator, stoppedReading, subscription, unique, until } from './support/harness.js';

const log = capturingLogger();
let emu: KubemqEmulator;
let c: kubemqClient;
beforeAll(async () => {
  emu = await startEmulator({ logger: log });
  c = connect(emu.address);
});
afterAll(async () => {
  c.close();
  await emu.stop();
});

const send = (channel: string, body = 'x') => call(c.sendEvent.bind(c), event({ Channel: channel, Body: Buffer.from(body) }));

describe('events', () => {
  it('SendEvent answers Sent:true with a 22-character id, even with no subscribers', async () => {
    const r = await send(unique('nobody'));
    expect(r.Sent).toBe(true);
    expect(r.Error).toBe('');
    expect(r.EventID).toMatch(/^[0-9A-Za-z]{22}$/);
    const own = await call(c.sendEvent.bind(c), event({ Channel: 'x', EventID: 'mine' }));
    expect(own.EventID).toBe('mine');
  });

  it('fans out to every ungrouped subscriber and one member per group, with wildcards', async () => {
    const base = unique('fan').replace(/-/g, '_');
    const ch = `${base}.orders.eu`;
    const open = (channel: string, group = '') => collect(c.subscribeToEvents(subscription({ SubscribeTypeData: 1, Channel: channel, Group: group })));
    const a = open(ch);
    const b = open(ch);
    const g1 = open(ch, 'g');
    const g2 = open(ch, 'g');
    const star = open(`${base}.*.eu`);
    const tail = open(`${base}.>`);
    const other = open(`${base}.other`);
    const streams = [a, b, star, tail];
    await probe(() => send(ch, 'probe'), () => streams.every((s) => s.items.length > 0) && g1.items.length + g2.items.length > 0);
    const before = streams.map((s) => s.items.length);
    const groupBefore = g1.items.length + g2.items.length;
    for (let i = 0; i < 10; i++) await send(ch, `m${i}`);
    for (const [i, s] of streams.entries()) await s.count(before[i]! + 10);
    await until(() => g1.items.length + g2.items.length === groupBefore + 10);
    expect(g1.items.length).toBeGreaterThan(0);
    expect(g2.items.length).toBeGreaterThan(0);
    expect(other.items).toHaveLength(0);
    const got: EventReceive = a.items[a.items.length - 1]!;
    expect(got.Channel).toBe(ch);
    expect(got.Body.toString()).toBe('m9');
    expect(got.Timestamp).toBe(0n);
    expect(got.Sequence).toBe(0n);
    expect(star.items[star.items.length - 1]!.Channel).toBe(ch); // the concrete channel
  });

  it('returns validation errors as INTERNAL with the server text', async () => {
    expect(await failure(c.sendEvent.bind(c), event({ ClientID: '', Channel: 'x' }))).toEqual({ code: grpc.status.INTERNAL, details: E.ERR_101_CLIENT_ID });
    expect(await failure(c.sendEvent.bind(c), event({ Channel: 'a.*' }))).toEqual({ code: grpc.status.INTERNAL, details: E.ERR_107_WILDCARDS });
    expect(await failure(c.sendEvent.bind(c), event({ Channel: 'x', Metadata: '' }))).toEqual({ code: grpc.status.INTERNAL, details: E.ERR_110_MESSAGE_EMPTY });
    const s = collect(c.subscribeToEvents(subscription({ SubscribeTypeData: 1, Channel: 'x', EventsStoreTypeData: 2 })));
    expect(await s.status).toEqual({ code: grpc.status.INTERNAL, details: E.ERR_118_EVENTS_STORE_PARAMS });
    const t = collect(c.subscribeToEvents(subscription({ SubscribeTypeData: 0, Channel: 'x' })));
    expect(await t.status).toEqual({ code: grpc.status.INTERNAL, details: E.ERR_207_SUBSCRIBE_TYPE });
  });

  it('delivers an event on a<TAB>b to subscribers of a, with Channel a\\tb (§6)', async () => {
    const a = unique('tab');
    const s = collect(c.subscribeToEvents(subscription({ SubscribeTypeData: 1, Channel: a })));
    await probe(() => send(a), () => s.items.length > 0);
    const r = await send(`${a}\tb`, 'tabbed');
    expect(r.Sent).toBe(true);
    await until(() => s.items.some((e) => e.Body.toString() === 'tabbed'));
    expect(s.items.find((e) => e.Body.toString() === 'tabbed')!.Channel).toBe(`${a}\tb`);
  });
});

describe('SendEventsStream', () => {
  it('answers only errors for Store=false, every event for Store=true, and ends on half-close', async () => {
    const stream = c.sendEventsStream();
    const results = collect<Result>(stream);
    const ch = unique('stream');
    stream.write(event({ EventID: 'ok1', Channel: ch }));
    stream.write(event({ EventID: 'bad', Channel: '' }));
    stream.write(event({ EventID: 'ok2', Channel: ch }));
    stream.write(event({ EventID: 'st1', Channel: ch, Store: true }));
    stream.write(event({ EventID: 'st-bad', Channel: ch, Store: true, Metadata: '' }));
    stream.end();
    expect(await results.status).toEqual({ code: grpc.status.OK, details: '' }); // grpc-go's empty status message
    expect(results.items).toEqual([
      { EventID: 'bad', Sent: false, Error: E.ERR_102_CHANNEL },
      { EventID: 'st1', Sent: true, Error: '' },
      { EventID: 'st-bad', Sent: false, Error: E.ERR_110_MESSAGE_EMPTY },
    ]);
  });

  it('stops reading while a client leaves its results unread, and catches up when it reads', async () => {
    const stream = c.sendEventsStream();
    const ch = unique('unread');
    // Far more than every HTTP/2 window and socket buffer between the two can hold.
    const total = 20_000;
    try {
      const held = await holdBackUnreadClient(log, 'SendEventsStream', stream, total, () => event({ Channel: ch, Store: true, Body: Buffer.alloc(512) }));
      expect(held.writtenWhenStalled).toBeLessThan(total);
      expect(held.replies.every((r) => r.Sent)).toBe(true);
      expect(stoppedReading(log, 'SendEventsStream')).toBe(false); // reading again
      stream.end();
      expect(await held.status).toEqual({ code: grpc.status.OK, details: '' });
    } finally {
      stream.cancel();
    }
  }, 90_000);

  it('delivers a burst to one subscriber in order', async () => {
    const ch = unique('burst');
    const s = collect(c.subscribeToEvents(subscription({ SubscribeTypeData: 1, Channel: ch })));
    await probe(() => send(ch, 'probe'), () => s.items.length > 0);
    const n0 = s.items.length;
    const stream = c.sendEventsStream();
    for (let i = 0; i < 2000; i++) stream.write(event({ Channel: ch, Body: Buffer.from(String(i)) }));
    stream.end();
    await s.count(n0 + 2000, 10000);
    expect(s.items.slice(n0).map((e) => Number(e.Body.toString()))).toEqual([...Array(2000).keys()]);
  });
});

describe('unknown methods and services (§6)', () => {
  it('answers UNIMPLEMENTED with grpc-go texts', async () => {
    const raw = new grpc.Client(emu.address, grpc.credentials.createInsecure());
    const unary = (path: string) =>
      new Promise<grpc.ServiceError>((resolve) => raw.makeUnaryRequest(path, (x: Buffer) => x, (x: Buffer) => x, Buffer.alloc(0), (e) => resolve(e!)));
    const m = await unary('/kubemq.kubemq/NoSuchMethod');
    expect([m.code, m.details]).toEqual([grpc.status.UNIMPLEMENTED, 'unknown method NoSuchMethod for service kubemq.kubemq']);
    const s = await unary('/kubemq.Kubemq/SendEvent');
    expect([s.code, s.details]).toEqual([grpc.status.UNIMPLEMENTED, 'unknown service kubemq.Kubemq']);
    raw.close();
  });

  it('answers Ping', async () => {
    const p = await call(c.ping.bind(c), {});
    expect(p.Version).toBe('v2.4.0-emulator');
    expect(p.Host).not.toBe('');
    expect(Number(p.ServerStartTime)).toBeCloseTo(Date.now() / 1000, -2);
    expect(p.ServerUpTimeSeconds >= 0n).toBe(true);
  });
});
