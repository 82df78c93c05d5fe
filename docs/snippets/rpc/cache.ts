import { type KubemqClient } from '@kubemq/core';
import { queries } from '@kubemq/rpc';

// A broker with a query cache answers a repeat of the same cacheKey (on the same channel) from the
// cache for cacheTtlSeconds, with cacheHit: true. The open-source broker has no cache: it passes key
// and TTL on to the responder (query.cacheKey, query.cacheTtlSeconds) and every query reaches a
// responder.
export async function cachedPrice(client: KubemqClient, sku: string): Promise<string> {
  const res = await queries(client).send({
    channel: 'pricing.quote',
    body: sku,
    cacheKey: `price:${sku}`,
    cacheTtlSeconds: 60, // whole seconds: the broker's unit
    timeoutMs: 3_000,
  });
  console.log(res.cacheHit ? 'from the broker cache' : `computed by ${res.responderId}`);
  return res.text();
}
