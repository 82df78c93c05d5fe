// Unary SendEvent versus the shared SendEventsStream behind `eventsStore(client).send()`.
//
//   KUBEMQ_ADDRESS=127.0.0.1:50000 npx tsx --tsconfig tsconfig.base.json tools/bench/patterns/events-store-send-modes.ts
//
// Start a broker first (the emulator or a real kubemq-community). Prints events/s per mode and
// round; rounds are interleaved so drift hits every mode alike.
import { KubemqClient } from '@kubemq/core';
import { eventsStore, type EventsStoreClient } from '@kubemq/events-store';
import { concurrent, RoundTable } from './timing.js';

const address = process.env['KUBEMQ_ADDRESS'] ?? '127.0.0.1:50000';
const total = Number(process.env['BENCH_EVENTS'] ?? 20_000);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const body = new Uint8Array(1024).fill(120);

async function main(): Promise<void> {
  const client = await KubemqClient.connect({ address, clientId: 'bench-es-send-modes' });
  const channel = `bench.es-send-modes.${process.pid}`;
  const unary = eventsStore(client, { sendMode: 'unary' });
  const stream = eventsStore(client);
  const send = (es: EventsStoreClient) => () => es.send({ channel, body });
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
  }
  table.print(`events store: ${total} events of 1 KiB per run, ${rounds} rounds, broker ${address}`, 40);
  await client.close();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
