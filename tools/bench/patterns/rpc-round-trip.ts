// Command and query round trips through a broker: throughput at 1, 32 and 256 in flight and p50
// latency, with a handle() responder in the same process on its own client (its own connection).
//
//   KUBEMQ_ADDRESS=127.0.0.1:50000 npx tsx --tsconfig tsconfig.base.json tools/bench/patterns/rpc-round-trip.ts
//
// Baseline from docs/broker-behaviour.md §0 (raw grpc-js, real v2.4.0 server, 2 shared cores): command round
// trip 500–600/s at 1 in flight, about 1,650/s at 32. Rounds are interleaved so drift hits all.
import { KubemqClient } from '@kubemq/core';
import { commandResponder, commands, queries, queryResponder } from '@kubemq/rpc';
import { concurrent, medianLatencyMs, RoundTable } from './timing.js';

const address = process.env['KUBEMQ_ADDRESS'] ?? '127.0.0.1:50000';
const total = Number(process.env['BENCH_REQUESTS'] ?? 5_000);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const body = new Uint8Array(1024).fill(120);

async function main(): Promise<void> {
  const requester = await KubemqClient.connect({ address, clientId: 'bench-rpc-requester' });
  const responder = await KubemqClient.connect({ address, clientId: 'bench-rpc-responder' });
  const channel = `bench.rpc.${process.pid}`;
  const cmdResponder = commandResponder(responder, { channel, concurrency: 256 }, () => undefined);
  const qResponder = queryResponder(responder, { channel, concurrency: 256 }, (q) => ({ body: q.body }));
  await Promise.all([cmdResponder.ready(), qResponder.ready()]);
  const command = () => commands(requester).send({ channel, body, timeoutMs: 10_000 });
  const query = () => queries(requester).send({ channel, body, timeoutMs: 10_000 });
  await concurrent(1000, 32, command);
  await concurrent(1000, 32, query);

  const table = new RoundTable();
  const record = (name: string, value: number) => table.record(name, value);
  for (let r = 0; r < rounds; r++) {
    for (const inFlight of [1, 32, 256]) {
      const n = inFlight === 1 ? Math.min(total, 1500) : total;
      record(`command round trips/s, ${inFlight} in flight`, n / ((await concurrent(n, inFlight, command)) / 1000));
      record(`query   round trips/s, ${inFlight} in flight`, n / ((await concurrent(n, inFlight, query)) / 1000));
    }
    record('command p50 latency (ms)', await medianLatencyMs(300, command));
    record('query   p50 latency (ms)', await medianLatencyMs(300, query));
  }
  table.print(`rpc: 1 KiB bodies, ${total} requests per run, ${rounds} rounds, broker ${address}`, 40);
  await Promise.all([cmdResponder.stop(), qResponder.stop()]);
  await Promise.all([requester.close(), responder.close()]);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
