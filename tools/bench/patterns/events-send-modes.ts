// Unary SendEvent versus the shared SendEventsStream behind `events(client).send()`.
//
//   KUBEMQ_ADDRESS=127.0.0.1:50000 npx tsx --tsconfig tsconfig.base.json tools/bench/patterns/events-send-modes.ts
//
// Start a broker first (e.g. the emulator: `node packages/emulator/dist/esm/cli/main.js`, or a
// real kubemq-community). Prints events/s per mode and round; rounds are interleaved so drift
// (GC, JIT, a busy machine) hits every mode alike.
import { KubemqClient } from '@kubemq/core';
import { events, eventStream, type EventsClient } from '@kubemq/events';
import { concurrent, medianLatencyMs, RoundTable } from './timing.js';

const address = process.env['KUBEMQ_ADDRESS'] ?? '127.0.0.1:50000';
const total = Number(process.env['BENCH_EVENTS'] ?? 20_000);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const body = new Uint8Array(1024).fill(120);

async function main(): Promise<void> {
  const client = await KubemqClient.connect({ address, clientId: 'bench-send-modes' });
  const channel = `bench.send-modes.${process.pid}`;
  const unary = events(client, { sendMode: 'unary' });
  const stream = events(client);
  const send = (ev: EventsClient) => () => ev.send({ channel, body });
  // warm up both paths
  await concurrent(2000, 32, send(unary));
  await concurrent(2000, 32, send(stream));

  const table = new RoundTable();
  const record = (name: string, value: number) => table.record(name, value);
  for (let r = 0; r < rounds; r++) {
    for (const inFlight of [1, 32, 256]) {
      const n = inFlight === 1 ? Math.min(total, 3000) : total;
      record(`unary   send(), ${inFlight} in flight`, n / ((await concurrent(n, inFlight, send(unary))) / 1000));
      record(`stream  send(), ${inFlight} in flight`, n / ((await concurrent(n, inFlight, send(stream))) / 1000));
    }
    const handle = eventStream(client);
    const ms = await concurrent(total, 1, () => handle.send({ channel, body }));
    await handle.flush();
    record('handle  send() + flush() (no per-event verdict)', total / (ms / 1000));
    await handle.close();
    record('unary   p50 latency (ms)', await medianLatencyMs(500, send(unary)));
    record('stream  p50 latency (ms)', await medianLatencyMs(500, send(stream)));
  }
  table.print(`events: ${total} events of 1 KiB per run, ${rounds} rounds, broker ${address}`, 50);
  await client.close();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
