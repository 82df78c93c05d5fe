import { type KubemqClient } from '@kubemq/core';
import { queryResponder, type Responder } from '@kubemq/rpc';

declare const stockBySku: Map<string, number>;

// A query handler returns the data: body (string or bytes), metadata and tags.
export function serveStock(client: KubemqClient): Responder {
  return queryResponder(client, { channel: 'inventory.stock', concurrency: 16 }, (query) => {
    const sku = query.text();
    const available = stockBySku.get(sku);
    if (available === undefined) throw new Error(`unknown sku ${sku}`);
    return { body: JSON.stringify({ sku, available }), metadata: 'application/json' };
  });
}
