// An audit log with @kubemq/events-store, replayed with each of the six start positions.
// Run: KUBEMQ_ADDRESS=localhost:50000 npx tsx examples/events-store/audit-log-replay.ts
import { KubemqClient } from '@kubemq/core';
import { eventsStore, StartPosition, type EventStoreReceive } from '@kubemq/events-store';

const address = process.env['KUBEMQ_ADDRESS'] ?? 'localhost:50000';
const channel = `audit.example-${process.pid}`;

async function main(): Promise<void> {
  const client = await KubemqClient.connect({ address, clientId: `audit-example-${process.pid}` });
  const store = eventsStore(client);
  try {
    // 1. Write the audit log: five entries, 100 ms apart so a time can fall between two of them.
    for (const action of ['login', 'view-invoice', 'change-email', 'download-report', 'logout']) {
      await store.send({ channel, body: JSON.stringify({ user: 7, action }), tags: { action } });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const all = await take(store.subscribe({ channel, startAt: StartPosition.fromFirst() }), 5);
    show('fromFirst()        ', all);

    // 2. Replay it each way.
    show('atSequence(3)      ', await take(store.subscribe({ channel, startAt: StartPosition.atSequence(3) }), 3));
    show('fromLast()         ', await take(store.subscribe({ channel, startAt: StartPosition.fromLast() }), 1));
    // The broker starts a little after the time it is given, so ask for one clearly before entry 3.
    const third = all[2] as EventStoreReceive;
    const beforeThird = new Date(third.timestamp.getTime() - 50);
    show('atTime(3rd - 50 ms)', await take(store.subscribe({ channel, startAt: StartPosition.atTime(beforeThird) }), 3));
    show('atTimeDelta(60 s)  ', await take(store.subscribe({ channel, startAt: StartPosition.atTimeDelta(60) }), 5));

    // Every position above reaches into the store, so none of them needed a readiness wait.
    // newOnly delivers only what is stored after the broker registered it: store entries until one arrives.
    const fresh: EventStoreReceive[] = [];
    const sub = store.subscribe({ channel, startAt: StartPosition.newOnly() }).subscribe((e) => fresh.push(e));
    const deadline = Date.now() + 15_000;
    while (fresh.length === 0) {
      if (Date.now() > deadline) throw new Error('newOnly: nothing arrived');
      await store.send({ channel, body: JSON.stringify({ user: 7, action: 'heartbeat' }) });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    sub.unsubscribe();
    show('newOnly()          ', fresh.slice(0, 1));
    if (fresh.some((e) => e.sequence <= 5)) throw new Error('newOnly replayed history');
  } finally {
    await client.close();
  }
}

/** The first `n` events of a subscription (leaving the loop closes it), within 15 s. */
async function take(source: AsyncIterable<EventStoreReceive>, n: number): Promise<EventStoreReceive[]> {
  const got: EventStoreReceive[] = [];
  const timer = setTimeout(() => {
    console.error(`timed out after ${got.length} of ${n} events`);
    process.exit(1);
  }, 15_000);
  for await (const e of source) {
    got.push(e);
    if (got.length === n) break;
  }
  clearTimeout(timer);
  return got;
}

function show(mode: string, events: EventStoreReceive[]): void {
  const entries = events.map((e) => `#${e.sequence} ${e.json<{ action: string }>().action}`);
  console.log(`${mode} → ${entries.join(', ')}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
