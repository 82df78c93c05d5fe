import { jsonCodec, type KubemqClient } from '@kubemq/core';
import { eventsChannel } from '@kubemq/events';

interface PriceChange {
  sku: string;
  price: number;
}

export async function prices(client: KubemqClient): Promise<void> {
  const changes = eventsChannel(client, { channel: 'prices.changed', codec: jsonCodec<PriceChange>() });
  // Each event arrives decoded; one that is not a PriceChange carries its decodeError instead,
  // and the subscription goes on.
  changes.subscribe({ group: 'pricing' }).subscribe((event) => {
    if (event.ok) console.log(event.value.sku, 'now costs', event.value.price);
    else console.error('skipped event', event.id, event.decodeError.message);
  });
  await changes.send({ value: { sku: 'sku-1', price: 9.5 }, tags: { source: 'erp' } });
}
