// Notifications with @kubemq/events: fan-out to every listener, plus a consumer group that shares
// the work. Run: KUBEMQ_ADDRESS=localhost:50000 npx tsx examples/events/notifications.ts
import { KubemqClient } from '@kubemq/core';
import { eventListener, events, type EventListener, type EventReceive } from '@kubemq/events';

const address = process.env['KUBEMQ_ADDRESS'] ?? 'localhost:50000';
const channel = `notifications.example-${process.pid}`;
const COUNT = 30;

async function main(): Promise<void> {
  // Two connections, as two services would have: the notifier and the services that react.
  await using notifier = await KubemqClient.connect({ address, clientId: `notifier-${process.pid}` });
  await using services = await KubemqClient.connect({ address, clientId: `notification-services-${process.pid}` });
  const ev = events(services);

  // Fan-out: the push and sms services each get every notification.
  const push: EventReceive[] = [];
  const sms: EventReceive[] = [];
  // A group: three mailers share the notifications, each one goes to exactly one mailer.
  const mailers: EventReceive[][] = [[], [], []];
  // Everything is in once the push and sms services have all notifications and the mailers together too.
  let resolveAllIn!: () => void;
  const allIn = new Promise<void>((resolve) => (resolveAllIn = resolve));
  const check = () => {
    const mailed = mailers.reduce((n, m) => n + m.length, 0);
    if (push.length === COUNT && sms.length === COUNT && mailed === COUNT) resolveAllIn();
  };
  const into = (inbox: EventReceive[]) => (event: EventReceive) => {
    inbox.push(event);
    check();
  };
  const listeners: EventListener[] = [
    eventListener(ev, { channel }, into(push)),
    eventListener(ev, { channel }, into(sms)),
    ...mailers.map((inbox) => eventListener(ev, { channel, group: 'mailers' }, into(inbox))),
  ];

  try {
    // KubeMQ says nothing when a subscription is live: ready() proves each listener with readiness
    // probes (which never reach the handlers), so no notification below is missed.
    await Promise.all(listeners.map((listener) => listener.ready()));

    for (let i = 1; i <= COUNT; i++) {
      await events(notifier).send({ channel, body: JSON.stringify({ user: i, text: `order ${i} shipped` }), tags: { kind: 'shipping' } });
    }
    await withTimeout(allIn, 15_000);

    console.log(`push received ${push.length}, sms received ${sms.length} (fan-out: each gets all)`);
    mailers.forEach((m, i) => console.log(`mailer ${i + 1} handled ${m.length}`));
    console.log(`the mailers together handled ${mailers.reduce((n, m) => n + m.length, 0)} (group: each once)`);
    console.log('first notification:', push[0]?.json());
  } finally {
    await Promise.all(listeners.map((listener) => listener.stop()));
  }
}

/** Rejects when `promise` has not settled within `ms`. */
async function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for the broker`)), ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
