import { jsonCodec, type KubemqClient } from '@kubemq/core';
import { commandChannel, queryChannel, queryResponder } from '@kubemq/rpc';

interface StockQuery {
  sku: string;
}
interface Stock {
  available: number;
}

export async function inventory(client: KubemqClient): Promise<void> {
  const stock = queryChannel(client, {
    channel: 'inventory.stock',
    codec: jsonCodec<StockQuery>(),
    responseCodec: jsonCodec<Stock>(),
  });
  // The handler gets the decoded query and returns a value; the response codec encodes it.
  await using responder = queryResponder(stock, {}, async (query) => ({ value: { available: query.value.sku === 'sku-1' ? 3 : 0 } }));
  await responder.ready();

  const answer = await stock.send({ value: { sku: 'sku-1' }, timeoutMs: 5000 });
  if (answer.ok) console.log('available:', answer.value.available);
  else if (answer.decodeError) console.error('unreadable answer:', answer.decodeError.message);
  else console.error('not executed:', answer.error);

  const restock = commandChannel(client, { channel: 'inventory.restock', codec: jsonCodec<StockQuery>() });
  const result = await restock.send({ value: { sku: 'sku-1' }, timeoutMs: 5000 }).catch((err: unknown) => err);
  console.log(result);
}
