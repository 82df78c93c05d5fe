// Unary SendEvent versus the shared SendEventsStream behind `events(client).send()`.
//
//   KUBEMQ_ADDRESS=127.0.0.1:50000 npx tsx --tsconfig tsconfig.base.json tools/bench/patterns/events-send-modes.ts
//
// Start a broker first (e.g. the emulator: `node packages/emulator/dist/esm/cli/main.js`, or a
// real kubemq-community). Prints events/s per mode and round; rounds are interleaved so drift
// (GC, JIT, a busy machine) hits every mode alike.
import { KubemqClient } from '@kubemq/core';
import { events, eventStream, type EventsClient } from '@kubemq/events';

const address = process.env['KUBEMQ_ADDRESS'] ?? '127.0.0.1:50000';
const total = Number(process.env['BENCH_EVENTS'] ?? 20_000);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const body = new Uint8Array(1024).fill(120);

async function concurrent(n: number, inFlight: number, one: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) await one(next++);
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function latency(n: number, one: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await one();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(n / 2)] as number;
}

async function main(): Promise<void> {
  const client = await KubemqClient.connect({ address, clientId: 'bench-send-modes' });
  const channel = `bench.send-modes.${process.pid}`;
  const unary = events(client, { sendMode: 'unary' });
  const stream = events(client);
  const send = (ev: EventsClient) => () => ev.send({ channel, body });
  // warm up both paths
  await concurrent(2000, 32, send(unary));
  await concurrent(2000, 32, send(stream));

  const rows: Record<string, number[]> = {};
  const record = (name: string, value: number) => (rows[name] ??= []).push(value);
  for (let r = 0; r < rounds; r++) {
    for (const inFlight of [1, 32, 256]) {
      const n = inFlight === 1 ? Math.min(total, 3000) : total;
      record(`unary   send(), ${inFlight} in flight`, n / ((await concurrent(n, inFlight, send(unary))) / 1000));
      record(`stream  send(), ${inFlight} in flight`, n / ((await concurrent(n, inFlight, send(stream))) / 1000));
    }
    const handle = eventStream(client);
    const ms = await concurrent(total, 1, async () => handle.send({ channel, body }));
    await handle.flush();
    record('handle  send() + flush() (no per-event verdict)', total / (ms / 1000));
    await handle.close();
    record('unary   p50 latency (ms)', await latency(500, send(unary)));
    record('stream  p50 latency (ms)', await latency(500, send(stream)));
  }
  console.log(`events: ${total} events of 1 KiB per run, ${rounds} rounds, broker ${address}`);
  for (const [name, values] of Object.entries(rows)) {
    const fmt = (v: number) => (name.includes('latency') ? v.toFixed(3) : Math.round(v).toLocaleString('en-US'));
    console.log(`${name.padEnd(50)} ${values.map(fmt).join('  ')}`);
  }
  await client.close();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
