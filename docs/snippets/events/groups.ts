import { type KubemqClient } from '@kubemq/core';
import { events } from '@kubemq/events';
import { type Subscription } from 'rxjs';

// Three mailers share the work: each event goes to exactly one of them. An audit subscriber
// without a group (and any other group) still gets its own copy of every event.
export function startMailers(client: KubemqClient): Subscription[] {
  const mailers = [1, 2, 3].map((n) =>
    events(client)
      .subscribe({ channel: 'notifications.email', group: 'mailers' })
      .subscribe((event) => console.log(`mailer ${n} sends`, event.text())),
  );
  const audit = events(client)
    .subscribe({ channel: 'notifications.email' })
    .subscribe((event) => console.log('audit saw', event.id));
  return [...mailers, audit];
}
