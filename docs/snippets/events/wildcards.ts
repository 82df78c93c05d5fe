import { type KubemqClient } from '@kubemq/core';
import { eventListener, events, type EventListener } from '@kubemq/events';

// '*' matches exactly one token, '>' one or more trailing tokens ('.' separates tokens).
// Sending to 'orders.*' is a ValidationError: wildcards are for receiving.
export async function watchOrders(client: KubemqClient): Promise<EventListener[]> {
  const listeners = [
    // orders.eu, orders.us — not orders, not orders.eu.paris
    eventListener(client, { channel: 'orders.*' }, (e) => console.log('one level:', e.channel)),
    // orders.eu, orders.eu.paris, … — not orders
    eventListener(client, { channel: 'orders.>' }, (e) => console.log('any depth:', e.channel)),
  ];
  // A pattern's probes go to a channel it matches (orders._probe_<token>), never to orders.eu.
  await Promise.all(listeners.map((listener) => listener.ready()));
  await events(client).send({ channel: 'orders.eu', body: 'order 1' }); // both listeners get it
  return listeners;
}
