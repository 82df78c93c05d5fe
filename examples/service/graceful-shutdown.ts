// Graceful shutdown: a service with an events listener, a queue consumer and a command responder
// that drains on SIGTERM. Each resource is held with `await using`, so leaving the service's scope
// disposes them in reverse order: the listener stops, the responder lets running handlers answer,
// the consumer finishes and acks the batch in hand, then the client closes. Nothing in flight is
// lost: jobs not yet taken stay in the queue for the next instance.
// Here the program sends itself SIGTERM once the service is busy (as `kill -TERM <pid>`, or an
// orchestrator stopping a container, would), and checks the outcome.
// Run: KUBEMQ_ADDRESS=localhost:50000 npx tsx examples/service/graceful-shutdown.ts
import { KubemqClient } from '@kubemq/core';
import { eventListener, events } from '@kubemq/events';
import { queueConsumer, queues } from '@kubemq/queues';
import { commandResponder, commands } from '@kubemq/rpc';

const address = process.env['KUBEMQ_ADDRESS'] ?? 'localhost:50000';
const prefix = `shop.example-${process.pid}`;
const JOBS = 6;

interface ServiceReport {
  jobsDone: number[];
  acked: number;
  nacked: number;
}

/** The service: runs until `shutdown` aborts, then drains everything it holds. */
async function runService(shutdown: AbortSignal, busy: { serving(): void; job(): void; command(): void }): Promise<ServiceReport> {
  await using client = await KubemqClient.connect({ address, clientId: `shop-service-${process.pid}` });
  client.state$.subscribe((state) => console.log(`service: connection ${state}`));
  const jobsDone: number[] = [];

  // 1. A queue consumer: one job at a time, batches of 2; a job takes 300 ms.
  await using consumer = queueConsumer(client, { channel: `${prefix}.jobs`, maxItems: 2, concurrency: 1, waitTimeoutMs: 1000 }, async (msg) => {
    const job = msg.json<{ job: number }>().job;
    busy.job();
    await sleep(300);
    jobsDone.push(job);
    console.log(`service: job ${job} done`);
  });

  // 2. An events listener (it stops on the shutdown signal too).
  await using audit = eventListener(client, { channel: `${prefix}.audit`, signal: shutdown }, (event) => {
    console.log(`service: audit ${event.text()}`);
  });
  await audit.ready();
  await events(client).send({ channel: `${prefix}.audit`, body: 'service starting' }); // reaches the listener

  // 3. A command responder: a command takes 500 ms.
  await using responder = commandResponder(client, { channel: `${prefix}.reindex` }, async (cmd) => {
    console.log(`service: reindexing ${cmd.text()}`);
    busy.command();
    await sleep(500);
    console.log(`service: reindexed ${cmd.text()}`);
  });
  await responder.ready(); // the broker routes commands to it from here on
  busy.serving();

  console.log(`service: running as pid ${process.pid}; send SIGTERM or SIGINT to stop it`);
  // The signal may already have come (a real service can be stopped at any time): don't wait for it then.
  if (!shutdown.aborted) await new Promise<void>((resolve) => shutdown.addEventListener('abort', () => resolve(), { once: true }));
  console.log('service: shutting down: responder, listener, consumer, then client');
  // Leaving the scope runs, in this order: responder.stop() (running handlers answer),
  // audit.stop() (already stopped by the signal), consumer.stop() (the batch in hand finishes and
  // is acked), client.close().
  return {
    jobsDone,
    get acked() {
      return consumer.stats.acked;
    },
    get nacked() {
      return consumer.stats.nacked;
    },
  };
}

async function main(): Promise<void> {
  const shutdown = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      console.log(`received ${signal}`);
      shutdown.abort();
    });
  }
  const busy = { serving: () => {}, job: () => {}, command: () => {} };
  const serving = new Promise<void>((resolve) => (busy.serving = resolve));
  const jobStarted = new Promise<void>((resolve) => (busy.job = resolve));
  const commandStarted = new Promise<void>((resolve) => (busy.command = resolve));
  const service = runService(shutdown.signal, busy);

  // Someone else (another service) sends jobs and a command.
  await using caller = await KubemqClient.connect({ address, clientId: `shop-caller-${process.pid}` });
  const sent = await queues(caller).sendBatch(
    Array.from({ length: JOBS }, (_, job) => ({ channel: `${prefix}.jobs`, body: JSON.stringify({ job }) })),
  );
  if (sent.failed > 0) throw new Error(`${sent.failed} jobs were refused`);
  await Promise.race([jobStarted, service]); // the service is processing a job (or failed to start)
  await Promise.race([serving, service]); // its responder is proven live: a command sent now reaches it
  const reply = commands(caller).send({ channel: `${prefix}.reindex`, body: 'catalog', timeoutMs: 10_000 });
  await Promise.race([commandStarted, reply]); // the command is being handled when SIGTERM arrives

  process.kill(process.pid, 'SIGTERM');

  const [report, response] = await Promise.all([service, reply]);
  console.log(`caller: the command in flight at shutdown was answered: executed=${response.executed}`);
  const left = await queues(caller).peek({ channel: `${prefix}.jobs`, maxItems: JOBS, waitTimeoutSeconds: 1 });
  console.log(
    `after shutdown: ${report.jobsDone.length} jobs done and ${report.acked} acked, ` +
      `${left.messages.length} still queued for the next instance`,
  );
  await queues(caller).purge({ channel: `${prefix}.jobs`, waitTimeoutSeconds: 1 }); // tidy up

  if (!response.executed) throw new Error('the command in flight was not executed');
  if (report.jobsDone.length === 0 || report.acked !== report.jobsDone.length || report.nacked !== 0) {
    throw new Error('a job in hand was not finished and acked');
  }
  if (report.jobsDone.length + left.messages.length !== JOBS) throw new Error('jobs were lost or duplicated');
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
