// Inventory lookup over KubeMQ queries with a cache key: an inventory service (responder) and a
// storefront (requester) in one process. A broker with a query cache answers the repeat from its
// cache (cacheHit: true). The open-source KubeMQ server has no cache and passes key and TTL on to
// the responder, so the service also caches by `query.cacheKey` itself. The service stops through
// its signal, and its stats say how many lookups it served.
//
//   KUBEMQ_ADDRESS=localhost:50000 npx tsx --tsconfig examples/rpc/tsconfig.json examples/rpc/inventory-lookup/main.ts
import { KubemqClient } from '@kubemq/core';
import { queries, queryResponder } from '@kubemq/rpc';

const stock = new Map([
  ['sku-1', 12],
  ['sku-2', 0],
]);

async function main(): Promise<number> {
  const address = process.env['KUBEMQ_ADDRESS'] ?? 'localhost:50000';
  const client = await KubemqClient.connect({ address, clientId: `inventory-lookup-${process.pid}` });
  const channel = `examples.inventory.${process.pid}-${Date.now()}.lookup`;
  let lookups = 0;
  const responderCache = new Map<string, { body: string; expiresAt: number }>();
  const shutdown = new AbortController();
  try {
    const service = queryResponder(client, { channel, signal: shutdown.signal }, (query) => {
      const cached = query.cacheKey === undefined ? undefined : responderCache.get(query.cacheKey);
      if (cached && cached.expiresAt > Date.now()) return { body: cached.body, tags: { cache: 'responder' } };
      const sku = query.text();
      const available = stock.get(sku);
      if (available === undefined) throw new Error(`unknown sku ${sku}`);
      lookups++;
      const body = JSON.stringify({ sku, available });
      if (query.cacheKey !== undefined && query.cacheTtlSeconds !== undefined) {
        responderCache.set(query.cacheKey, { body, expiresAt: Date.now() + query.cacheTtlSeconds * 1000 });
      }
      return { body, metadata: 'application/json', tags: { cache: 'miss' } };
    });
    await service.ready({ timeoutMs: 15_000 });

    const storefront = queries(client);
    const ask = (sku: string) => storefront.send({ channel, body: sku, cacheKey: `stock:${sku}`, cacheTtlSeconds: 30, timeoutMs: 5_000 });

    const first = await ask('sku-1');
    console.log(`[storefront] sku-1 → ${first.text()} (cacheHit=${first.cacheHit})`);
    const again = await ask('sku-1');
    const source = again.cacheHit ? 'the broker cache' : again.tags['cache'] === 'responder' ? "the responder's cache" : 'a fresh lookup';
    console.log(`[storefront] sku-1 again → ${again.text()} from ${source}`);
    const unknown = await ask('sku-404');
    console.log(`[storefront] sku-404 → executed=${unknown.executed} error="${unknown.error}"`);

    shutdown.abort(); // stops the service: what is in hand finishes, then `done` resolves
    await service.done;
    const { received, handled, handlerErrors } = service.stats;
    console.log(`[service] received ${received} queries, handled ${handled}, ${handlerErrors} failed`);

    // A broker with a query cache answers the repeat itself: then the service saw one query less.
    const reachedService = again.cacheHit ? 2 : 3;
    const asExpected =
      first.executed &&
      first.json<{ available: number }>().available === 12 &&
      again.text() === first.text() &&
      lookups === 1 &&
      !unknown.executed &&
      received === reachedService &&
      handled === reachedService - 1 && // the lookup of sku-404 threw: it counts in handlerErrors only
      handlerErrors === 1;
    console.log(asExpected ? 'inventory-lookup: done' : 'inventory-lookup: unexpected results');
    return asExpected ? 0 : 1;
  } finally {
    await client.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('inventory-lookup failed:', err);
    process.exit(1);
  },
);
