import { type KubemqClient } from '@kubemq/core';
import { eventListener, events, type EventListener } from '@kubemq/events';

// Three mailers share the work: each event goes to exactly one of them. An audit listener
// without a group (and any other group) still gets its own copy of every event.
export async function startMailers(client: KubemqClient): Promise<EventListener[]> {
  const mailers = [1, 2, 3].map((n) =>
    eventListener(client, { channel: 'notifications.email', group: 'mailers' }, (event) => console.log(`mailer ${n} sends`, event.text())),
  );
  const audit = eventListener(client, { channel: 'notifications.email' }, (event) => console.log('audit saw', event.id));
  const all = [...mailers, audit];
  // Each member must be proven (a probe reaches one member of the group at a time).
  await Promise.all(all.map((listener) => listener.ready()));
  await events(client).send({ channel: 'notifications.email', body: 'welcome' }); // one mailer and the audit get it
  return all;
}
