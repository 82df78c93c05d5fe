import { ValidationError, type KubemqClient } from '@kubemq/core';
import { queries, queryResponder, type QueryReceive } from '../../src/index.js';
import { expectedCapabilities, startKubemq, type KubemqBroker } from '@kubemq/testing';
import { itWhen, sharedBroker, uniqueChannel } from '@kubemq/testing/jest';
import { connect, rejectionOf } from './helpers.js';

describe('queries through the broker', () => {
  let requester: KubemqClient;
  let responderClient: KubemqClient;

  beforeAll(async () => {
    requester = await connect(sharedBroker().address, 'rpc-q-req');
    responderClient = await connect(sharedBroker().address, 'rpc-q-resp');
  });

  afterAll(async () => {
    await requester?.close();
    await responderClient?.close();
  });

  it('round trip with data, metadata and tags', async () => {
    const channel = uniqueChannel('rpc.q');
    await using responder = queryResponder(responderClient, { channel }, (q) => ({
      body: JSON.stringify({ sku: q.text(), stock: 12 }),
      metadata: 'application/json',
      tags: { source: 'warehouse-a' },
    }));
    await responder.ready();
    const res = await queries(requester).send({ channel, body: 'sku-9', timeoutMs: 5000 });
    expect(res.executed).toBe(true);
    expect(res.json()).toEqual({ sku: 'sku-9', stock: 12 });
    expect(res.metadata).toBe('application/json');
    expect(res.tags).toMatchObject({ source: 'warehouse-a' });
    expect(res.responderId).toBe(responderClient.clientId);
  });

  it("a responder's cacheHit reaches the requester as the responder set it: the open-source broker has no cache and passes it on", async () => {
    const channel = uniqueChannel('rpc.q.cachehit');
    // A responder that caches by the query's cacheKey says when it answered from its cache.
    const cache = new Map<string, string>();
    await using responder = queryResponder(responderClient, { channel }, (q) => {
      const key = q.cacheKey ?? q.text();
      const hit = cache.get(key);
      if (hit !== undefined) return { body: hit, cacheHit: true };
      cache.set(key, `${q.text()}!`);
      return { body: `${q.text()}!` };
    });
    await responder.ready();
    const first = await queries(requester).send({ channel, body: 'sku-1', timeoutMs: 5000 });
    const second = await queries(requester).send({ channel, body: 'sku-1', timeoutMs: 5000 });
    expect(first).toMatchObject({ cacheHit: false, executed: true });
    expect(second).toMatchObject({ cacheHit: true, executed: true });
    expect(second.text()).toBe('sku-1!');
  });

  it('1,000 concurrent queries are all answered, each with its own data', async () => {
    const channel = uniqueChannel('rpc.q.many');
    await using responder = queryResponder(responderClient, { channel }, (q) => ({ body: `${q.id}|${q.text()}`, tags: { n: q.text() } }));
    await responder.ready();
    const n = 1000;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => queries(requester).send({ channel, id: `${channel}-${i}`, body: String(i), timeoutMs: 30_000 })),
    );
    results.forEach((res, i) => {
      expect(res.id).toBe(`${channel}-${i}`);
      expect(res.text()).toBe(`${channel}-${i}|${i}`);
      expect(res.tags['n']).toBe(String(i));
    });
  }, 60_000);

  it('cache key and TTL reach the responder (the open-source broker has no cache and passes them on)', async () => {
    const channel = uniqueChannel('rpc.q.cachefields');
    // A key of this run's own: a broker with a cache that served an earlier run would answer from it.
    const cacheKey = `price:${channel}`;
    const seen: QueryReceive[] = [];
    await using responder = queryResponder(responderClient, { channel }, (q) => {
      seen.push(q);
      return { body: 'fresh' };
    });
    await responder.ready();
    const res = await queries(requester).send({ channel, body: 'x', cacheKey, cacheTtlSeconds: 30, timeoutMs: 5000 });
    expect(res.executed).toBe(true);
    const { timeoutMs, cacheKey: key, cacheTtlSeconds } = seen[0]!;
    // v2.4.0 passes the three on; some server versions clear all three (docs/rpc.md).
    expect([
      { timeoutMs: 5000, key: cacheKey, cacheTtlSeconds: 30 },
      { timeoutMs: 0, key: undefined, cacheTtlSeconds: undefined },
    ]).toContainEqual({ timeoutMs, key, cacheTtlSeconds });
  });

  it('a cache key without a TTL (the broker\'s Error 116) is refused client-side, before sending', async () => {
    const channel = uniqueChannel('rpc.q.nottl');
    let called = 0;
    await using responder = queryResponder(responderClient, { channel }, () => {
      called++;
      return { body: 'x' };
    });
    await responder.ready();
    const err = await rejectionOf(queries(requester).send({ channel, body: 'x', cacheKey: 'k', timeoutMs: 2000 }));
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe('cacheTtlSeconds');
    const fractional = await rejectionOf(queries(requester).send({ channel, body: 'x', cacheKey: 'k', cacheTtlSeconds: 1.5 }));
    expect((fractional as ValidationError).field).toBe('cacheTtlSeconds');
    expect(called).toBe(0);
  });

  it('a query or a reply over 64 MiB is refused, within the default 100 MiB maxMessageBytes: the broker could not deliver it', async () => {
    const channel = uniqueChannel('rpc.q.64mib');
    const huge = new Uint8Array(64 * 1024 * 1024);
    let called = 0;
    await using responder = queryResponder(responderClient, { channel }, () => {
      called++;
      return { body: huge };
    });
    await responder.ready();
    const request = await rejectionOf(queries(requester).send({ channel, body: huge, timeoutMs: 2000 }));
    expect(request).toMatchObject({ code: 'VALIDATION', field: 'body' });
    expect(called).toBe(0);
    // The responder's reply is refused as invalid: the sender hears executed false, not a timeout.
    const answered = await queries(requester).send({ channel, body: 'small', timeoutMs: 5000 });
    expect(answered).toMatchObject({ executed: false });
    expect(answered.error).toMatch(/broker can deliver/);
  });
});

describe('query cache hits (a broker with a query cache; the open-source server has none)', () => {
  const capabilities = expectedCapabilities({ queryCache: true });
  let broker: KubemqBroker | undefined;
  let client: KubemqClient | undefined;

  beforeAll(async () => {
    if (!capabilities.queryCache) return;
    broker = await startKubemq({ queryCache: true });
    client = await connect(broker.address, 'rpc-q-cache');
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await broker?.[Symbol.asyncDispose]();
  });

  itWhen('queryCache', capabilities)('a second query with the same key is answered from the cache', async () => {
    const c = client as KubemqClient;
    const channel = uniqueChannel('rpc.q.cache');
    let executions = 0;
    await using responder = queryResponder(c, { channel }, (q) => ({ body: `${q.text()}#${++executions}` }));
    await responder.ready();
    // Keys of this run's own, so a cache an earlier run filled answers none of them.
    const [key1, key2] = [`${channel}:sku-1`, `${channel}:sku-2`];
    const first = await queries(c).send({ channel, body: 'sku-1', cacheKey: key1, cacheTtlSeconds: 60, timeoutMs: 5000 });
    const second = await queries(c).send({ channel, body: 'sku-1', cacheKey: key1, cacheTtlSeconds: 60, timeoutMs: 5000 });
    const other = await queries(c).send({ channel, body: 'sku-2', cacheKey: key2, cacheTtlSeconds: 60, timeoutMs: 5000 });
    expect(first).toMatchObject({ cacheHit: false, executed: true });
    expect(first.text()).toBe('sku-1#1');
    expect(second.cacheHit).toBe(true);
    expect(second.text()).toBe('sku-1#1');
    expect(other.cacheHit).toBe(false);
    expect(other.text()).toBe('sku-2#2');
    expect(executions).toBe(2);
  });
});
