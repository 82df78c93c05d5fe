import { ManualClock } from '../../clock.js';
import type { Request, Response } from '../../generated/kubemq.js';
import { ChannelRegistry } from '../channels/registry.js';
import { RequestTimeoutError, RequestsEngine } from './requests-engine.js';
import { QueryCache } from './query-cache.js';

const req = (channel: string): Request => ({
  RequestID: 'r1',
  RequestTypeData: 1,
  ClientID: 'c',
  Channel: channel,
  Metadata: 'm',
  Body: Buffer.from('b'),
  ReplyChannel: '',
  Timeout: 1000,
  CacheKey: '',
  CacheTTL: 0,
  Span: Buffer.alloc(0),
  Tags: {},
});
const res = (reply: string, body = 'ok'): Response => ({
  ClientID: 'resp',
  RequestID: 'r1',
  ReplyChannel: reply,
  Metadata: '',
  Body: Buffer.from(body),
  CacheHit: false,
  Timestamp: 0n,
  Executed: true,
  Error: '',
  Span: Buffer.alloc(0),
  Tags: {},
});

function setup() {
  const clock = new ManualClock();
  const engine = new RequestsEngine(clock, new ChannelRegistry(() => clock.nowMs()));
  return { clock, engine };
}

describe('RequestsEngine', () => {
  it('fills ReplyChannel with an inbox and resolves with the first response', async () => {
    const { engine } = setup();
    const seen: Request[] = [];
    engine.subscribe('commands', 'cmd', '', (r) => seen.push(r));
    engine.subscribe('commands', 'cmd', '', (r) => seen.push(r));
    const p = engine.request('commands', req('cmd'), 1000);
    expect(seen).toHaveLength(2);
    expect(seen[0]!.ReplyChannel).toMatch(/^_INBOX\./);
    expect(engine.respond(seen[0]!.ReplyChannel, res(seen[0]!.ReplyChannel, 'first'))).toBe(true);
    // The second responder is late: accepted, dropped.
    expect(engine.respond(seen[1]!.ReplyChannel, res(seen[1]!.ReplyChannel, 'second'))).toBe(false);
    expect((await p).Body.toString()).toBe('first');
  });

  it("makes each inbox nats.go's shape: one `_INBOX.<nuid>.` prefix for all requests, 8 base-62 characters each", () => {
    const { engine } = setup();
    const seen: Request[] = [];
    engine.subscribe('queries', 'q', '', (r) => seen.push(r));
    for (let i = 0; i < 2; i++) void engine.request('queries', req('q'), 1000).catch(() => undefined);
    expect(seen).toHaveLength(2);
    const [a = '', b = ''] = seen.map((r) => r.ReplyChannel);
    expect(a).toMatch(/^_INBOX\.[0-9A-Za-z]{22}\.[0-9A-Za-z]{8}$/);
    expect(b).toMatch(/^_INBOX\.[0-9A-Za-z]{22}\.[0-9A-Za-z]{8}$/);
    expect(a).toHaveLength(38);
    expect(a.split('.')).toHaveLength(3);
    expect(b.slice(0, 30)).toBe(a.slice(0, 30));
    expect(b).not.toBe(a);
  });

  it('sends to one member per group and allows wildcards', () => {
    const { engine } = setup();
    const got = { a: 0, b: 0 };
    engine.subscribe('queries', 'q.*', 'g', () => got.a++);
    engine.subscribe('queries', 'q.*', 'g', () => got.b++);
    for (let i = 0; i < 6; i++) void engine.request('queries', req('q.x'), 1000).catch(() => undefined);
    expect(got.a + got.b).toBe(6); // each request to one member, picked at random
  });

  it('keeps commands and queries apart', () => {
    const { engine } = setup();
    let n = 0;
    engine.subscribe('queries', 'ch', '', () => n++);
    void engine.request('commands', req('ch'), 10).catch(() => undefined);
    expect(n).toBe(0);
  });

  it('waits the full timeout when nobody answers', async () => {
    const { clock, engine } = setup();
    const p = engine.request('commands', req('none'), 1500);
    let settled = false;
    p.catch(() => (settled = true));
    clock.advance(1499);
    await Promise.resolve();
    expect(settled).toBe(false);
    clock.advance(1);
    await expect(p).rejects.toBeInstanceOf(RequestTimeoutError);
  });

  it('fails pending requests on close', async () => {
    const { engine } = setup();
    const p = engine.request('commands', req('none'), 100000);
    engine.close();
    await expect(p).rejects.toBeInstanceOf(RequestTimeoutError);
  });
});

describe('QueryCache', () => {
  it('answers with CacheHit until the TTL passes', () => {
    const clock = new ManualClock();
    const cache = new QueryCache(clock);
    cache.set('ch', 'k', 2, res('', 'cached'));
    expect(cache.get('ch', 'k')?.CacheHit).toBe(true);
    expect(cache.get('other', 'k')).toBeUndefined();
    clock.advance(1999);
    expect(cache.get('ch', 'k')?.Body.toString()).toBe('cached');
    clock.advance(1);
    expect(cache.get('ch', 'k')).toBeUndefined();
  });
});
