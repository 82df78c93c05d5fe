// Notifications with @kubemq/events: fan-out to every subscriber, plus a consumer group that shares
// the work. Run: KUBEMQ_ADDRESS=localhost:50000 npx tsx examples/events/notifications.ts
import { KubemqClient } from '@kubemq/core';
import { events, type EventReceive } from '@kubemq/events';

const address = process.env['KUBEMQ_ADDRESS'] ?? 'localhost:50000';
const channel = `notifications.example-${process.pid}`;
const PROBE = 'probe';

async function main(): Promise<void> {
  const client = await KubemqClient.connect({ address, clientId: `notifications-example-${process.pid}` });
  const ev = events(client);

  // Fan-out: the push and sms services each get every notification.
  const push: EventReceive[] = [];
  const sms: EventReceive[] = [];
  // A group: three mailers share the notifications, each one goes to exactly one mailer.
  const mailers: EventReceive[][] = [[], [], []];
  const subscriptions = [
    ev.subscribe({ channel }).subscribe((e) => push.push(e)),
    ev.subscribe({ channel }).subscribe((e) => sms.push(e)),
    ...mailers.map((inbox) => ev.subscribe({ channel, group: 'mailers' }).subscribe((e) => inbox.push(e))),
  ];
  const everyone = [push, sms, ...mailers];
  const real = (list: EventReceive[]) => list.filter((e) => e.metadata !== PROBE);

  try {
    // KubeMQ says nothing when a subscription is live: publish probes until each one has seen one.
    await until(
      () => everyone.every((list) => list.some((e) => e.metadata === PROBE)),
      () => ev.send({ channel, metadata: PROBE }),
    );

    const count = 30;
    for (let i = 1; i <= count; i++) {
      await ev.send({ channel, body: JSON.stringify({ user: i, text: `order ${i} shipped` }), tags: { kind: 'shipping' } });
    }
    await until(
      () => real(push).length === count && real(sms).length === count && mailers.reduce((n, m) => n + real(m).length, 0) === count,
    );

    console.log(`push received ${real(push).length}, sms received ${real(sms).length} (fan-out: each gets all)`);
    mailers.forEach((m, i) => console.log(`mailer ${i + 1} handled ${real(m).length}`));
    console.log(`the mailers together handled ${mailers.reduce((n, m) => n + real(m).length, 0)} (group: each once)`);
    console.log('first notification:', real(push)[0]?.json());
  } finally {
    subscriptions.forEach((s) => s.unsubscribe());
    await client.close();
  }
}

/** Polls `done` (running `step` between checks) for up to 15 s. */
async function until(done: () => boolean, step?: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the broker');
    await step?.();
    await new Promise((resolve) => setTimeout(resolve, step ? 200 : 20));
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
