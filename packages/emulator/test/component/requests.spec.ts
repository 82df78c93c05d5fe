// Commands and queries (broker-behaviour.md §2.3, §5.1, §6) through raw gRPC.
import * as grpc from '@grpc/grpc-js';
import type { KubemqEmulator } from '../../src/emulator.js';
import { Response, type Request, type kubemqClient } from '../../src/generated/kubemq.js';
import * as E from '../../src/service/errors.js';
import { call, collect, connect, failure, request, sleep, startEmulator, subscription, unique, until } from './support/harness.js';

let emu: KubemqEmulator;
let c: kubemqClient;
beforeAll(async () => {
  emu = await startEmulator();
  c = connect(emu.address);
});
afterAll(async () => {
  c.close();
  await emu.stop();
});

/** A responder that answers every request with `answer(req)`. */
function responder(type: 3 | 4, channel: string, answer: (r: Request) => Partial<Response>, group = '') {
  const s = c.subscribeToRequests(subscription({ SubscribeTypeData: type, Channel: channel, Group: group }));
  const got = collect<Request>(s);
  s.on('data', (r: Request) => {
    void call(c.sendResponse.bind(c), Response.fromPartial({ ClientID: 'responder', RequestID: r.RequestID, ReplyChannel: r.ReplyChannel, ...answer(r) }));
  });
  return { stream: s, got };
}

/** Sends until a responder answers (a responder is not known to be registered until then). */
async function firstAnswer(req: Request): Promise<Response> {
  const end = performance.now() + 5000;
  for (;;) {
    try {
      return await call(c.sendRequest.bind(c), { ...req, Timeout: 300 });
    } catch (e) {
      if ((e as grpc.ServiceError).details !== E.ERR_301_REQUEST_TIMEOUT || performance.now() > end) throw e;
    }
  }
}

describe('commands', () => {
  it('round-trips, clearing Body/Metadata/ReplyChannel/CacheHit and passing Timestamp/Span/Tags/ClientID (§6)', async () => {
    const ch = unique('cmd');
    const r = responder(3, ch, () => ({
      Executed: true,
      Body: Buffer.from('body'),
      Metadata: 'meta',
      CacheHit: true,
      Timestamp: 42n,
      Span: Buffer.from('span'),
      Tags: { t: '1' },
    }));
    const res = await firstAnswer(request({ Channel: ch, RequestID: 'req-1', Body: Buffer.from('hi') }));
    expect(res).toMatchObject({ ClientID: 'responder', RequestID: 'req-1', ReplyChannel: '', Metadata: '', CacheHit: false, Executed: true, Timestamp: 42n, Tags: { t: '1' } });
    expect(res.Body.length).toBe(0);
    expect(res.Span.toString()).toBe('span');
    const seen = r.got.items[r.got.items.length - 1]!;
    expect(seen.ReplyChannel).toMatch(/^_INBOX\.[0-9A-Za-z]{22}\.[0-9A-Za-z]{8}$/); // nats.go's request inbox (§2.3)
    expect(seen.Body.toString()).toBe('hi');
    r.stream.cancel();
  });

  it('fails with INTERNAL Error 301 after the full timeout when nobody answers', async () => {
    const t0 = Date.now();
    const f = await failure(c.sendRequest.bind(c), request({ Channel: unique('none'), Timeout: 400 }));
    expect(f).toEqual({ code: grpc.status.INTERNAL, details: E.ERR_301_REQUEST_TIMEOUT });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
  });

  it('checks the request type first (§6) and returns validation errors as INTERNAL', async () => {
    expect(await failure(c.sendRequest.bind(c), request({ RequestTypeData: 0, ClientID: '', Channel: 'a.*' }))).toEqual({ code: 13, details: E.ERR_206_REQUEST_TYPE });
    expect(await failure(c.sendRequest.bind(c), request({ Channel: 'x', Timeout: 0 }))).toEqual({ code: 13, details: E.ERR_109_TIMEOUT });
    expect(await failure(c.sendRequest.bind(c), request({ Channel: 'x', CacheKey: 'k' }))).toEqual({ code: 13, details: E.ERR_116_CACHE_TTL });
    expect(await failure(c.sendResponse.bind(c), Response.fromPartial({ ClientID: 'x', ReplyChannel: 'r' }))).toEqual({ code: 13, details: E.ERR_117_REQUEST_ID });
    const bad = collect(c.subscribeToRequests(subscription({ SubscribeTypeData: 1, Channel: 'x' })));
    expect(await bad.status).toEqual({ code: 13, details: E.ERR_207_SUBSCRIBE_TYPE });
  });

  it('accepts a late response and drops it', async () => {
    await expect(call(c.sendResponse.bind(c), Response.fromPartial({ ClientID: 'x', RequestID: 'r', ReplyChannel: '_INBOX.gone' }))).resolves.toEqual({});
  });

  it('sends to one member of a group, and to wildcard responders', async () => {
    const base = unique('grp').replace(/-/g, '_');
    const a = responder(3, `${base}.*`, () => ({ Executed: true }), 'g');
    const b = responder(3, `${base}.*`, () => ({ Executed: true }), 'g');
    await firstAnswer(request({ Channel: `${base}.x` }));
    await until(() => a.got.items.length + b.got.items.length >= 1);
    const n0 = a.got.items.length + b.got.items.length;
    for (let i = 0; i < 6; i++) await call(c.sendRequest.bind(c), request({ Channel: `${base}.x` }));
    expect(a.got.items.length + b.got.items.length).toBe(n0 + 6);
    a.stream.cancel();
    b.stream.cancel();
  });
});

describe('queries', () => {
  it('pass the response through with only ReplyChannel cleared; CacheKey/TTL reach the responder', async () => {
    const ch = unique('qry');
    const r = responder(4, ch, (req) => ({ Executed: true, Body: Buffer.from(`answer:${req.CacheKey}:${req.CacheTTL}`), Metadata: 'md', CacheHit: true }));
    const res = await firstAnswer(request({ RequestTypeData: 2, Channel: ch, CacheKey: 'k', CacheTTL: 5 }));
    expect(res).toMatchObject({ Metadata: 'md', ReplyChannel: '', CacheHit: true });
    expect(res.Body.toString()).toBe('answer:k:5');
    r.stream.cancel();
  });

  it('have no cache unless the option is on (§0 item 5)', async () => {
    const ch = unique('nocache');
    let n = 0;
    const r = responder(4, ch, () => ({ Executed: true, Body: Buffer.from(String(++n)) }));
    await firstAnswer(request({ RequestTypeData: 2, Channel: ch, CacheKey: 'k', CacheTTL: 60 }));
    const again = await call(c.sendRequest.bind(c), request({ RequestTypeData: 2, Channel: ch, CacheKey: 'k', CacheTTL: 60 }));
    expect(again.CacheHit).toBe(false);
    expect(Number(again.Body.toString())).toBeGreaterThan(1);
    r.stream.cancel();
  });
});

describe('emulator-only options (the open-source server lacks them, §0)', () => {
  it('query cache: a repeated CacheKey is answered from the cache with CacheHit:true until the TTL passes', async () => {
    const own = await startEmulator({ queryCache: true });
    const k = connect(own.address);
    try {
      const ch = unique('cache');
      let n = 0;
      const s = k.subscribeToRequests(subscription({ SubscribeTypeData: 4, Channel: ch }));
      s.on('error', () => undefined);
      s.on('data', (r: Request) => void call(k.sendResponse.bind(k), Response.fromPartial({ ClientID: 'r', RequestID: r.RequestID, ReplyChannel: r.ReplyChannel, Executed: true, Body: Buffer.from(String(++n)) })));
      const q = request({ RequestTypeData: 2, Channel: ch, CacheKey: 'key', CacheTTL: 1, Timeout: 300 });
      let first: Response | undefined;
      while (!first) first = await call(k.sendRequest.bind(k), q).catch(() => undefined);
      expect(first.CacheHit).toBe(false);
      const hit = await call(k.sendRequest.bind(k), q);
      expect(hit.CacheHit).toBe(true);
      expect(hit.Body.toString()).toBe(first.Body.toString());
      const otherKey = await call(k.sendRequest.bind(k), { ...q, CacheKey: 'other' });
      expect(otherKey.CacheHit).toBe(false);
      await sleep(1100); // let the 1 s TTL pass (a TTL is a duration: nothing to await)
      const expired = await call(k.sendRequest.bind(k), q);
      expect(expired.CacheHit).toBe(false);
      s.cancel();
    } finally {
      k.close();
      await own.stop();
    }
  });

  it('channel management: create, list (with search), delete on kubemq.cluster.internal.requests', async () => {
    const own = await startEmulator({ channelManagement: true });
    const k = connect(own.address);
    const mgmt = (metadata: string, tags: Record<string, string>) =>
      call(k.sendRequest.bind(k), request({ RequestTypeData: 2, Channel: 'kubemq.cluster.internal.requests', Metadata: metadata, Timeout: 10000, Tags: { client_id: 'me', ...tags } }));
    try {
      const name = unique('managed');
      expect(await mgmt('list-channels', { channel_type: 'events' })).toMatchObject({ Executed: true, Error: '' });
      expect((await mgmt('create-channel', { channel_type: 'events_store', channel: name })).Error).toBe('');
      await call(k.sendEvent.bind(k), { EventID: '', ClientID: 'c', Channel: name, Metadata: 'm', Body: Buffer.from('12345'), Store: true, Tags: {} });
      await call(k.sendEvent.bind(k), { EventID: '', ClientID: 'c', Channel: 'unrelated', Metadata: 'm', Body: Buffer.alloc(0), Store: true, Tags: {} });
      const list = await mgmt('list-channels', { channel_type: 'events_store', channel_search: 'managed' });
      const items = JSON.parse(list.Body.toString()) as { name: string; type: string; isActive: boolean; lastActivity: number; incoming: { messages: number; volume: number }; outgoing: object }[];
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ name, type: 'events_store', isActive: false, incoming: { messages: 1, volume: 5, responses: 0, waiting: 0, expired: 0, delayed: 0 } });
      expect(items[0]!.lastActivity).toBeGreaterThan(0);
      expect(Object.keys(items[0]!.outgoing).sort()).toEqual(['delayed', 'expired', 'messages', 'responses', 'volume', 'waiting']);
      expect((await mgmt('delete-channel', { channel_type: 'events_store', channel: name })).Error).toBe('');
      const after = await mgmt('list-channels', { channel_type: 'events_store', channel_search: 'managed' });
      expect(after.Body.length).toBe(0); // empty body = no channels
      const bad = await mgmt('list-channels', { channel_type: 'nope' });
      expect(bad.Executed).toBe(false);
      expect(bad.Error).not.toBe('');
      // isActive follows live subscribers: on while subscribed, off after the stream is cancelled.
      const live = k.subscribeToEvents(subscription({ SubscribeTypeData: 1, Channel: `${name}-ev` }));
      live.on('error', () => undefined);
      const active = async () =>
        (JSON.parse((await mgmt('list-channels', { channel_type: 'events', channel_search: `${name}-ev` })).Body.toString() || '[]') as { isActive: boolean }[])[0]?.isActive;
      let on = false;
      // The subscription is registered a while after the call arrives (registrationDelayMs).
      for (let i = 0; i < 100 && !on; i++) {
        on = (await active()) === true;
        if (!on) await sleep(10);
      }
      expect(on).toBe(true);
      live.cancel();
      let off = false;
      for (let i = 0; i < 100 && !off; i++) {
        off = (await active()) === false;
        if (!off) await sleep(10);
      }
      expect(off).toBe(true);
      expect((await mgmt('create-channel', { channel_type: 'queues', channel: `${name}-q` })).Error).toBe('');
      const queues = JSON.parse((await mgmt('list-channels', { channel_type: 'queues' })).Body.toString()) as { name: string }[];
      expect(queues.map((q) => q.name)).toContain(`${name}-q`);
    } finally {
      k.close();
      await own.stop();
    }
  });

  it('without the option, a channel-management query times out with Error 301 (§2.5)', async () => {
    const f = await failure(c.sendRequest.bind(c), request({ RequestTypeData: 2, Channel: 'kubemq.cluster.internal.requests', Metadata: 'list-channels', Timeout: 300 }));
    expect(f.details).toBe(E.ERR_301_REQUEST_TIMEOUT);
  });
});
