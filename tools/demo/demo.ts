// `npm run demo`: all five KubeMQ patterns against a broker this script starts and stops itself
// (the embedded @kubemq/emulator), or against a real server when KUBEMQ_ADDRESS is set.
import { KubemqClient } from '@kubemq/core';
import { eventListener, events, type EventReceive } from '@kubemq/events';
import { eventsStore, StartPosition } from '@kubemq/events-store';
import { queues } from '@kubemq/queues';
import { commandResponder, commands, queries, queryResponder } from '@kubemq/rpc';
import { startKubemq } from '@kubemq/testing';

const run = Date.now().toString(36);
const say = (line = '') => console.log(line);
const title = (text: string) => say(`\n== ${text} ${'='.repeat(Math.max(0, 70 - text.length))}`);

async function main(): Promise<void> {
  await using broker = await startKubemq();
  say(`broker: ${broker.kind} at ${broker.address}`);
  await using client = await KubemqClient.connect({ address: broker.address, clientId: `demo-${run}` });
  const info = await client.ping();
  say(`connected: ${info.host} ${info.version || '(no version)'}`);

  await eventsDemo(client);
  await eventsStoreDemo(client);
  await queuesDemo(client);
  await commandsDemo(client);
  await queriesDemo(client);
  title('done');
}

/** Events: fire-and-forget fan-out, and a group that shares the work. */
async function eventsDemo(client: KubemqClient): Promise<void> {
  title('1. events: fan-out and consumer groups');
  const ev = events(client);
  const channel = `demo.${run}.notifications`;
  const audit: EventReceive[] = [];
  const mailers: EventReceive[][] = [[], []];
  const listeners = [
    eventListener(ev, { channel }, (e) => void audit.push(e)),
    ...mailers.map((inbox) => eventListener(ev, { channel, group: 'mailers' }, (e) => void inbox.push(e))),
  ];
  try {
    // KubeMQ says nothing when a subscription is live: each listener's ready() publishes probes
    // until one of its own arrives (in the group, until one reaches that member).
    await Promise.all(listeners.map((l) => l.ready()));
    for (const user of ['ada', 'grace', 'linus', 'margaret']) {
      await ev.send({ channel, body: `${user} signed up`, tags: { kind: 'signup' } });
    }
    await until(() => audit.length === 4 && mailers.flat().length === 4);
    say(`audit listener got:    ${audit.map((e) => e.text()).join(', ')}`);
    mailers.forEach((inbox, i) => say(`mailer ${i + 1} (group) got: ${inbox.map((e) => e.text()).join(', ') || '-'}`));
  } finally {
    await Promise.all(listeners.map((l) => l.stop()));
  }
}

/** Events store: persistent, replayable from a chosen start position. */
async function eventsStoreDemo(client: KubemqClient): Promise<void> {
  title('2. events store: persistence and replay');
  const store = eventsStore(client);
  const channel = `demo.${run}.audit`;
  for (const action of ['login', 'view-invoice', 'pay-invoice', 'logout']) {
    await store.send({ channel, body: action });
  }
  say('stored 4 audit events');
  for (const [label, startAt] of [
    ['from first', StartPosition.fromFirst()],
    ['at sequence 3', StartPosition.atSequence(3)],
    ['from last', StartPosition.fromLast()],
  ] as const) {
    const seen: string[] = [];
    const sub = store.subscribe({ channel, startAt }).subscribe((e) => seen.push(`#${e.sequence} ${e.text()}`));
    await until(() => seen.length >= (label === 'from first' ? 4 : label === 'at sequence 3' ? 2 : 1));
    sub.unsubscribe();
    say(`replay ${label.padEnd(14)} → ${seen.join(', ')}`);
  }
}

/** Queues: point-to-point with transactions, delay and dead-letter. */
async function queuesDemo(client: KubemqClient): Promise<void> {
  title('3. queues: transactional work with retries and dead-letter');
  const q = queues(client);
  const channel = `demo.${run}.tasks`;
  const deadLetter = `demo.${run}.tasks-dlq`;
  const batch = await q.sendBatch([
    { channel, body: 'resize image 1' },
    { channel, body: 'resize image 2' },
    { channel, body: 'corrupt file', policy: { maxReceiveCount: 2, deadLetterQueue: deadLetter } },
  ]);
  say(`sent a batch of ${batch.results.length}, ${batch.failed} failed`);

  // Each poll is one transaction: ack what worked, nack what failed (it comes back, counted).
  for (let round = 1; round <= 3; round++) {
    const tx = await q.poll({ channel, maxItems: 3, waitTimeoutMs: 1000 });
    if (tx.messages.length === 0) break;
    for (const message of tx.messages) {
      const ok = message.text() !== 'corrupt file';
      say(`round ${round}: ${message.text()} (receive #${message.receiveCount}) → ${ok ? 'ack' : 'nack'}`);
      await (ok ? message.ack() : message.nack());
    }
  }
  const dead = await q.receive({ channel: deadLetter, maxItems: 1, waitTimeoutSeconds: 1 });
  for (const message of dead.messages) {
    say(`dead-letter queue holds: ${message.text()} (re-routed from ${message.reRoutedFromQueue})`);
  }

  // The broker counts delays and these waits in whole seconds; a peek waits at least one second.
  await q.send({ channel, body: 'send the weekly report', policy: { delaySeconds: 3 } });
  const early = await q.peek({ channel, maxItems: 1, waitTimeoutSeconds: 1 });
  say(`a job delayed by 3 s is invisible at first: ${early.messages.length} visible`);
  const later = await q.receive({ channel, maxItems: 1, waitTimeoutSeconds: 5 });
  say(`and arrives after its delay: ${later.messages.map((m) => m.text()).join(', ')}`);
}

/** Commands: a request that is executed or fails, with a timeout. */
async function commandsDemo(client: KubemqClient): Promise<void> {
  title('4. commands: device control');
  const cmd = commands(client);
  const channel = `demo.${run}.devices`;
  await using responder = commandResponder(cmd, { channel }, async (request) => {
    if (request.metadata === 'reboot' && request.text() === 'thermostat-7') return {};
    throw new Error(`unknown device ${request.text()}`);
  });
  await responder.ready();
  const ok = await cmd.send({ channel, metadata: 'reboot', body: 'thermostat-7', timeoutMs: 5000 });
  say(`reboot thermostat-7 → executed: ${ok.executed}`);
  const failed = await cmd.send({ channel, metadata: 'reboot', body: 'toaster-1', timeoutMs: 5000 });
  say(`reboot toaster-1    → executed: ${failed.executed}, error: ${failed.error}`);
}

/** Queries: a request that answers with data. */
async function queriesDemo(client: KubemqClient): Promise<void> {
  title('5. queries: inventory lookup');
  const qry = queries(client);
  const channel = `demo.${run}.inventory`;
  const stock: Record<string, number> = { 'sku-1': 12, 'sku-2': 0 };
  await using responder = queryResponder(qry, { channel }, async (request) => ({
    body: JSON.stringify({ sku: request.text(), inStock: stock[request.text()] ?? 0 }),
  }));
  await responder.ready();
  for (const sku of ['sku-1', 'sku-2']) {
    const answer = await qry.send({ channel, body: sku, timeoutMs: 5000 });
    say(`stock of ${sku} → ${answer.text()}`);
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

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
