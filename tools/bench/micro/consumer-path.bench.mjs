// Micro-benchmark of the SDK's own work per message on the queue stream consumer's side, without a
// network: a decoded Get answer of 100 × 1 KB messages becomes a PollTransaction (received and
// polled messages, the ledger), its bodies are read and it is settled with ackAll() on a fake lane
// whose ActiveOffsets answer is "closed" (what the broker answers after AckAll + CloseByClient).
// What it leaves out: grpc-js, HTTP/2 and the decode of the answer (the same for every client).
//   node tools/bench/micro/consumer-path.bench.mjs [rounds]      (bundles the sources it measures: no build needed)

import { benchQueueMessages } from '../lib/queue-messages.mjs';
import { importSources } from '../lib/sources.mjs';

// The broker's side of the wire (the emulator's complete codecs) makes the answer's bytes; the SDK's
// own codec decodes them, as grpc-js does for it (core's codecs only go the way the client uses them).
const [{ PollTransaction }, { QueuesDownstreamResponse }, wire] = await importSources([
  'packages/queues/src/internal/downstream/transaction.ts',
  'packages/core/src/internal/generated/kubemq.ts',
  'packages/emulator/src/generated/kubemq.ts',
]);

const BATCH = 100;
const ROUNDS = Number(process.argv[2] ?? 3000);
const answer = wire.QueuesDownstreamResponse.encode(
  wire.QueuesDownstreamResponse.create({
    TransactionId: '6a1f2c3e-7d4b-4e5f-9a8b-1c2d3e4f5a6b',
    RefRequestId: 'r',
    RequestTypeData: 1,
    Messages: benchQueueMessages(BATCH),
  }),
).finish();
const closed = { RefRequestId: '', IsError: true, Error: 'cannot get active offsets with closed response ', ActiveOffsets: [] };
const lane = {
  onEnd: () => () => undefined,
  send: () => 'settle',
  ask: () => ({ id: 'probe', answer: Promise.resolve(closed) }),
  takeSettleError: () => undefined,
  cancel: () => undefined,
};
const host = { defaultTimeoutMs: 10_000, onTerminal: () => undefined, telemetry: undefined };

let sink = 0;
for (let pass = 0; pass < 4; pass++) {
  const decoded = Array.from({ length: ROUNDS }, () => QueuesDownstreamResponse.decode(answer));
  const c0 = process.cpuUsage();
  for (const response of decoded) {
    const tx = new PollTransaction(lane, host, response, 'bench.queues-stream-1kb', response.Messages, false);
    const bodies = tx.messages.map((m) => m.body);
    sink += bodies.length;
    await tx.ackAll();
    if (tx.state !== 'settled') throw new Error(`not settled: ${tx.state}`);
  }
  const c = process.cpuUsage(c0);
  if (pass > 0) console.log(`consumer path: ${((c.user + c.system) / (ROUNDS * BATCH)).toFixed(2)} µs CPU per message (excluding decode), ${ROUNDS} batches of ${BATCH}`);
}
if (sink === 0) console.log('');
