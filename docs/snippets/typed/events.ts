import { jsonCodec, type KubemqClient } from '@kubemq/core';
import { eventChannel, eventListener, type EventListener } from '@kubemq/events';

interface PriceChange {
  sku: string;
  price: number;
}

export async function prices(client: KubemqClient): Promise<EventListener> {
  const changes = eventChannel(client, { channel: 'prices.changed', codec: jsonCodec<PriceChange>() });
  // Each event arrives decoded; one that is not a PriceChange carries its decodeError instead,
  // and the listener goes on.
  const listener = eventListener(changes, { group: 'pricing' }, (event) => {
    if (event.ok) console.log(event.value.sku, 'now costs', event.value.price);
    else console.error('skipped event', event.id, event.decodeError.message);
  });
  await listener.ready(); // from here on, every event sent reaches the listener
  await changes.send({ value: { sku: 'sku-1', price: 9.5 }, tags: { source: 'erp' } });
  return listener; // runs until listener.stop() (or client.close())
}
