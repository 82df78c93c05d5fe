import { type KubemqClient } from '@kubemq/core';
import { events } from '@kubemq/events';
import { type Subscription } from 'rxjs';

// '*' matches exactly one token, '>' one or more trailing tokens ('.' separates tokens).
// Wildcards work only in events subscriptions; sending to 'orders.*' is a ValidationError.
export function watchOrders(client: KubemqClient): Subscription[] {
  return [
    // orders.eu, orders.us — not orders, not orders.eu.paris
    events(client).subscribe({ channel: 'orders.*' }).subscribe((e) => console.log('one level:', e.channel)),
    // orders.eu, orders.eu.paris, … — not orders
    events(client).subscribe({ channel: 'orders.>' }).subscribe((e) => console.log('any depth:', e.channel)),
  ];
}
