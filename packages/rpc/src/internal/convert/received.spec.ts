import type { Request } from '@kubemq/core/internal';
import { toCommandReceive, toQueryReceive } from './received.js';

/** A complete wire request (core has no Request.create: the SDK builds complete messages). */
const complete = (fields: Partial<Request>): Request =>
  ({ RequestID: '', RequestTypeData: 0, ClientID: '', Channel: '', Metadata: '', Body: Buffer.alloc(0), ReplyChannel: '', Timeout: 0, CacheKey: '', CacheTTL: 0, Span: Buffer.alloc(0), Tags: {}, ...fields });

const wire = (over: Partial<Request> = {}): Request =>
  complete({
    RequestID: 'r1',
    RequestTypeData: 2,
    ClientID: 'sender',
    Channel: 'inventory.lookup',
    Metadata: 'meta',
    Body: Buffer.from('{"sku":"a-1"}'),
    ReplyChannel: '_INBOX.x',
    Timeout: 5000,
    Tags: { t: 'v' },
    ...over,
  });

describe('received requests', () => {
  it('exposes a query with its routing fields, body helpers and no cache when none was set', () => {
    const received = wire();
    const q = toQueryReceive(received);
    expect(q).toMatchObject({
      id: 'r1',
      channel: 'inventory.lookup',
      metadata: 'meta',
      tags: { t: 'v' },
      replyChannel: '_INBOX.x',
      clientId: 'sender',
      timeoutMs: 5000,
      cacheKey: undefined,
      cacheTtlSeconds: undefined,
    });
    expect(q.body).toBe(received.Body); // the received bytes as decoded, no copy or second view (as in every pattern)
    expect(q.text()).toBe('{"sku":"a-1"}');
    expect(q.json<{ sku: string }>().sku).toBe('a-1');
  });

  it('keeps the wire cache TTL in seconds', () => {
    const q = toQueryReceive(wire({ CacheKey: 'k', CacheTTL: 30 }));
    expect(q.cacheKey).toBe('k');
    expect(q.cacheTtlSeconds).toBe(30);
  });

  it('exposes a command the same way', () => {
    const c = toCommandReceive(wire({ RequestTypeData: 1, Body: Buffer.from('reboot') }));
    expect(c.text()).toBe('reboot');
    expect(c.replyChannel).toBe('_INBOX.x');
  });
});
