import { validationField } from '@kubemq/test-fakes';
import { Request } from '@kubemq/core/internal';
import { COMMANDS, QUERIES } from '../kind.js';
import { buildRequest, type BuildRequestContext } from './request.js';

const ctx = (over: Partial<BuildRequestContext> = {}): BuildRequestContext => ({
  clientId: 'requester-1',
  defaultTimeoutMs: 10_000,
  operation: 'commands.send',
  ...over,
});

describe('buildRequest', () => {
  it('builds a command Request with type 1, UTF-8 body, metadata, tags, timeout and a generated id', () => {
    const built = buildRequest(COMMANDS, { channel: 'devices.reboot', body: 'héllo', metadata: 'm', tags: { a: 'b' }, timeoutMs: 2500 }, ctx());
    expect(built.wire.RequestTypeData).toBe(1);
    expect(built.wire.ClientID).toBe('requester-1');
    expect(built.wire.Channel).toBe('devices.reboot');
    expect(Buffer.from(built.wire.Body).toString('utf8')).toBe('héllo');
    expect(built.wire.Metadata).toBe('m');
    expect(built.wire.Tags).toEqual({ a: 'b' });
    expect(built.wire.Timeout).toBe(2500);
    expect(built.wire.ReplyChannel).toBe('');
    expect(built.wire.CacheKey).toBe('');
    expect(built.wire.CacheTTL).toBe(0);
    expect(built.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(built.wire.RequestID).toBe(built.id);
    expect(built.timeoutMs).toBe(2500);
  });

  it('checks every channel after a good one, and builds a complete message (every field set)', () => {
    const good = ctx();
    expect(buildRequest(COMMANDS, { channel: 'devices.reboot', body: 'x' }, good).channel).toBe('devices.reboot');
    for (const bad of ['devices reboot', 'devices.', 'a*', '', 'a\tb', 42]) {
      expect(validationField(() => buildRequest(COMMANDS, { channel: bad as string, body: 'x' }, good))).toBe('channel');
    }
    const built = buildRequest(QUERIES, { channel: 'q', body: 'x', tags: { k: 'v' } }, ctx({ operation: 'queries.send' }));
    // Decoding fills every field the bytes lack with its default: equal only if the built message had them all.
    expect(Request.decode(Request.encode(built.wire).finish())).toEqual(built.wire);
  });

  it('keeps a given id and sends Uint8Array bodies as they are', () => {
    const body = new Uint8Array([0, 1, 2, 255]);
    const built = buildRequest(COMMANDS, { channel: 'c', id: 'my-id', body }, ctx());
    expect(built.id).toBe('my-id');
    expect([...built.wire.Body]).toEqual([0, 1, 2, 255]);
  });

  it('builds a query Request with type 2 and the cache TTL in seconds, as given', () => {
    const built = buildRequest(QUERIES, { channel: 'q', metadata: 'x', cacheKey: 'k', cacheTtlSeconds: 60 }, ctx({ operation: 'queries.send' }));
    expect(built.wire.RequestTypeData).toBe(2);
    expect(built.wire.CacheKey).toBe('k');
    expect(built.wire.CacheTTL).toBe(60);
  });

  it('takes the timeout from the message, else the client default', () => {
    expect(buildRequest(COMMANDS, { channel: 'c', body: 'b', timeoutMs: 100 }, ctx()).timeoutMs).toBe(100);
    expect(buildRequest(COMMANDS, { channel: 'c', body: 'b' }, ctx()).timeoutMs).toBe(10_000);
  });

  it('refuses cache fields on commands (commands are never cached), rather than ignoring them', () => {
    expect(validationField(() => buildRequest(COMMANDS, { channel: 'c', body: 'b', cacheKey: 'k' } as never, ctx()))).toBe('cacheKey');
  });

  it.each([
    // kubemq-js's names: ignored, the client's defaultTimeoutMs (ms) or no cache (s) took over.
    [COMMANDS, { timeout: 1000 }, 'invalid timeout: is not an option here: use timeoutMs (milliseconds: how long the broker waits for a responder)'],
    [QUERIES, { timeout: 1000 }, 'invalid timeout: is not an option here: use timeoutMs (milliseconds: how long the broker waits for a responder)'],
    [QUERIES, { cacheKey: 'k', cacheTTL: 60 }, 'invalid cacheTTL: is not an option here: use cacheTtlSeconds (whole seconds)'],
    [QUERIES, { cacheKey: 'k', cacheTtlMs: 60_000 }, 'invalid cacheTtlMs: is not an option here: use cacheTtlSeconds (whole seconds)'],
    [COMMANDS, { clientId: 'other' }, "invalid clientId: is not an option here: use KubemqClient.connect({ clientId }): a request carries its client's"],
    [COMMANDS, { metdata: 'm' }, 'invalid metdata: is not an option here (the options are channel, body, metadata, tags, id, timeoutMs)'],
  ])('refuses a key a request does not have, naming the one to use for a known other name: %#', (kind, extra, message) => {
    expect(() => buildRequest(kind, { channel: 'c', body: 'b', ...extra } as never, ctx())).toThrow(message);
  });

  it('takes a known key given as undefined as not given', () => {
    const query = { channel: 'q', body: 'b', metadata: undefined, tags: undefined, id: undefined, timeoutMs: undefined, cacheKey: undefined, cacheTtlSeconds: undefined };
    expect(buildRequest(QUERIES, query, ctx()).timeoutMs).toBe(10_000);
  });

  it.each([
    ['missing channel', { body: 'b' }, 'channel'],
    ['empty channel', { channel: '', body: 'b' }, 'channel'],
    ['space in channel', { channel: 'a b', body: 'b' }, 'channel'],
    ['tab in channel', { channel: 'a\tb', body: 'b' }, 'channel'],
    ['trailing dot', { channel: 'a.', body: 'b' }, 'channel'],
    ['* wildcard on send', { channel: 'a.*', body: 'b' }, 'channel'],
    ['> wildcard on send', { channel: 'a.>', body: 'b' }, 'channel'],
    ['empty id', { channel: 'c', body: 'b', id: '' }, 'id'],
    ['number body', { channel: 'c', body: 5 }, 'body'],
    ['number metadata', { channel: 'c', metadata: 5 }, 'metadata'],
    ['non-string tag', { channel: 'c', body: 'b', tags: { n: 1 } }, 'tags.n'],
    ['reserved probe tag', { channel: 'c', body: 'b', tags: { 'x-kubemq-rpc-probe': 't' } }, 'tags.x-kubemq-rpc-probe'],
    ['no body and no metadata', { channel: 'c' }, 'body'],
    ['tags only', { channel: 'c', tags: { a: 'b' } }, 'body'],
    ['empty string body and metadata', { channel: 'c', body: '', metadata: '' }, 'body'],
    ['zero timeout', { channel: 'c', body: 'b', timeoutMs: 0 }, 'timeoutMs'],
    ['negative timeout', { channel: 'c', body: 'b', timeoutMs: -5 }, 'timeoutMs'],
    ['fractional timeout', { channel: 'c', body: 'b', timeoutMs: 1.5 }, 'timeoutMs'],
    ['NaN timeout', { channel: 'c', body: 'b', timeoutMs: Number.NaN }, 'timeoutMs'],
    ['string timeout', { channel: 'c', body: 'b', timeoutMs: '100' }, 'timeoutMs'],
    ['timeout above int32', { channel: 'c', body: 'b', timeoutMs: 2 ** 31 }, 'timeoutMs'],
  ])('rejects a command with %s', (_name, message, field) => {
    expect(validationField(() => buildRequest(COMMANDS, message as never, ctx()))).toBe(field);
  });

  it('rejects a body the broker could not deliver to a responder (over 64 MiB), whatever maxMessageBytes allows', () => {
    const body = new Uint8Array(64 * 1024 * 1024);
    expect(validationField(() => buildRequest(QUERIES, { channel: 'q', body }, ctx({ maxBodyBytes: 100 * 1024 * 1024 })))).toBe('body');
    expect(buildRequest(QUERIES, { channel: 'q', body: body.subarray(0, 63 * 1024 * 1024) }, ctx({ maxBodyBytes: 100 * 1024 * 1024 })).wire.Body.byteLength).toBe(63 * 1024 * 1024);
    // The whole request counts: a body that fits, with metadata that takes it over.
    const fits = body.subarray(0, 64 * 1024 * 1024 - 64 * 1024);
    expect(validationField(() => buildRequest(COMMANDS, { channel: 'c', body: fits, metadata: 'm'.repeat(200_000) }, ctx({ maxBodyBytes: 100 * 1024 * 1024 })))).toBe('command');
  });

  it('rejects a message that is not an object', () => {
    expect(validationField(() => buildRequest(COMMANDS, null as never, ctx()))).toBe('command');
    expect(validationField(() => buildRequest(QUERIES, 'q' as never, ctx()))).toBe('query');
  });

  it.each([
    ['a cache key without a TTL (the broker says Error 116)', { cacheKey: 'k' }, 'cacheTtlSeconds'],
    ['a zero TTL', { cacheKey: 'k', cacheTtlSeconds: 0 }, 'cacheTtlSeconds'],
    ['a TTL that is not whole seconds', { cacheKey: 'k', cacheTtlSeconds: 1.5 }, 'cacheTtlSeconds'],
    ['a negative TTL', { cacheKey: 'k', cacheTtlSeconds: -1 }, 'cacheTtlSeconds'],
    ['a TTL above int32', { cacheKey: 'k', cacheTtlSeconds: 2 ** 31 }, 'cacheTtlSeconds'],
    ['a string TTL', { cacheKey: 'k', cacheTtlSeconds: '60' }, 'cacheTtlSeconds'],
    ['a non-string key', { cacheKey: 5, cacheTtlSeconds: 1 }, 'cacheKey'],
  ])('rejects a query with %s', (_name, cache, field) => {
    expect(validationField(() => buildRequest(QUERIES, { channel: 'q', body: 'b', ...cache } as never, ctx()))).toBe(field);
  });

  it('allows reserved tags only for readiness probes', () => {
    const built = buildRequest(COMMANDS, { channel: 'c', metadata: 'p', tags: { 'x-kubemq-rpc-probe': 't' } }, ctx({ allowReservedTags: true }));
    expect(built.wire.Tags).toEqual({ 'x-kubemq-rpc-probe': 't' });
  });
});
