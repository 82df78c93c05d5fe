import { type KubemqClient } from '@kubemq/core';
import { queries } from '@kubemq/rpc';

interface Stock {
  sku: string;
  available: number;
}

export async function lookupStock(client: KubemqClient, sku: string): Promise<Stock> {
  const res = await queries(client).send({ channel: 'inventory.stock', body: sku, timeoutMs: 3_000 });
  if (!res.executed) throw new Error(`lookup failed: ${res.error}`);
  return res.json<Stock>();
}
