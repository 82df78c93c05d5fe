// examples: own-broker
// Reconnection: a client whose broker restarts. It logs every `client.state$` transition, shows a
// queue send issued during the outage waiting for the connection and going out after the
// reconnect, an events listener re-opening by itself (and proven live again with ready()), and an
// events-store subscription resuming after the last sequence it delivered (no gap, no repeat).
// Without KUBEMQ_ADDRESS it starts its own broker with startKubemq() from @kubemq/testing (the
// emulator, or KUBEMQ_BINARY) and restarts it; with KUBEMQ_ADDRESS it asks you to restart yours.
// Run: npx tsx examples/core/reconnection.ts
//  or: KUBEMQ_ADDRESS=localhost:50000 npx tsx examples/core/reconnection.ts   (then restart the broker)
import { KubemqClient, type ConnectionState } from '@kubemq/core';
import { eventListener, events } from '@kubemq/events';
import { eventsStore, StartPosition } from '@kubemq/events-store';
import { queues } from '@kubemq/queues';
import { startKubemq } from '@kubemq/testing';

const external = process.env['KUBEMQ_ADDRESS'];
const prefix = `reconnect.example-${process.pid}`;
const started = Date.now();
const log = (line: string) => console.log(`${String(Date.now() - started).padStart(6)} ms  ${line}`);

async function main(): Promise<void> {
  await using broker = external === undefined ? await startKubemq() : undefined;
  const address = external ?? broker!.address;
  log(`broker at ${address}${broker ? ` (${broker.kind}, started by this example)` : ''}`);

  await using client = await KubemqClient.connect({
    address,
    clientId: `reconnect-example-${process.pid}`,
    reconnect: { initialDelayMs: 200, maxDelayMs: 2000 }, // retry fast for the demo (default 500 ms … 4 s)
  });
  const states: ConnectionState[] = [];
  client.state$.subscribe((state) => {
    states.push(state);
    log(`state: ${state}`);
  });

  // An events listener (live only) and an events-store subscription (replayable).
  const live: string[] = [];
  const stored: number[] = [];
  await using listener = eventListener(client, { channel: `${prefix}.live` }, (e) => {
    live.push(e.text());
  });
  const subscription = eventsStore(client)
    .subscribe({ channel: `${prefix}.stored`, startAt: StartPosition.fromFirst() })
    .subscribe((e) => {
      stored.push(e.sequence);
      log(`events store: sequence ${e.sequence} "${e.text()}"`);
    });
  try {
    await listener.ready(); // the broker routes events to the listener from here on
    await events(client).send({ channel: `${prefix}.live`, body: 'before' });
    await until('the first event arrives', () => live.includes('before'));
    for (let i = 1; i <= 3; i++) await eventsStore(client).send({ channel: `${prefix}.stored`, body: `before ${i}` });
    await until('sequences 1-3 arrive', () => stored.length === 3);

    // The outage.
    if (broker) {
      log('stopping the broker');
      await broker.stop();
    } else {
      log('>>> restart your broker now (waiting up to 120 s)');
    }
    await until('the client notices', () => client.state === 'reconnecting', undefined, 120_000);

    // Issued while reconnecting: waits for the connection (at most maxPendingCalls such calls,
    // default 1000) and goes out once it is back. Its timeoutMs still applies.
    const buffered = queues(client).send({ channel: `${prefix}.jobs`, body: 'sent during the outage' }, { timeoutMs: 60_000 });
    log('queue send issued while reconnecting: waiting for the connection');

    if (broker) {
      await sleep(1000);
      log('starting the broker again');
      await broker.restart();
    }
    await until('the client reconnects', () => client.state === 'ready', undefined, 120_000);
    const result = await buffered;
    log(`the buffered queue send went out: ${result.id}`);

    // The listener re-opened its subscription by itself; the broker does not say when it is
    // registered again, so ready() proves it (it resolved at once before the outage; now it probes).
    await listener.ready({ timeoutMs: 30_000 });
    await events(client).send({ channel: `${prefix}.live`, body: 'after' });
    await until('the event sent after the reconnect arrives', () => live.includes('after'));
    log(`events listener: receiving again (stats.recoveries = ${listener.stats.recoveries})`);

    // The events-store subscription resumes after sequence 3.
    for (let i = 4; i <= 6; i++) await eventsStore(client).send({ channel: `${prefix}.stored`, body: `after ${i}` });
    await until('sequences 4-6 arrive', () => stored.length >= 6);
    await sleep(300); // a repeat would show up now
    log(`events store delivered ${stored.join(', ')}`);
    if (stored.join() !== '1,2,3,4,5,6') throw new Error(`expected 1..6 once each, got ${stored.join()}`);

    const { messages } = await queues(client).receive({ channel: `${prefix}.jobs`, waitTimeoutSeconds: 1 });
    log(`queue: received "${messages[0]?.text()}"`);
    if (messages.length !== 1) throw new Error('the buffered queue message is missing');
    log(`state transitions: ${states.join(' → ')}`);
  } finally {
    subscription.unsubscribe();
  }
}

/** Polls `done` (running `step` between checks) until `timeoutMs`. */
async function until(what: string, done: () => boolean, step?: () => Promise<unknown>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await step?.();
    await sleep(step ? 200 : 20);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
