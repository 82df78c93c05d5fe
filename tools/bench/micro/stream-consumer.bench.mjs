// Micro-benchmark of the queue stream consumer as the bench runs it (`transactions()`, one
// `ackAll()` per batch of 100, the next batch taken once the ack resolves), on a fake downstream
// stream instead of grpc-js: every write is encoded with core's codec (what grpc-js's serializer
// does), and a Get is answered in a microtask with the bytes of 100 × 1 KB messages, decoded by
// core's codec. "raw-like" does the same wire work by hand (encode a Get, decode its answer, encode
// an AckAll): what any client pays. The difference is this SDK's own work per message (the
// transaction, its messages, the settle path, the poll loop, the iterator), without grpc-js, the
// network or the broker, so it holds still from run to run.
//   node tools/bench/micro/stream-consumer.bench.mjs [batches]   ONLY=sdk runs one side (for --cpu-prof)

import { benchQueueMessages } from '../lib/queue-messages.mjs';
import { importSources } from '../lib/sources.mjs';

const [{ queues }, core, wire, fakes] = await importSources([
  'packages/queues/src/index.ts',
  'packages/core/src/internal/index.ts',
  'packages/emulator/src/generated/kubemq.ts',
  'tools/testing/src/index.ts',
]);

const BATCH = 100;
// Under the poll loop's 1,000 transactions per stream, so a pass never replaces its stream.
const BATCHES = Math.min(Number(process.argv[2] ?? 900), 999);
const { Get, AckAll } = core.QueuesDownstreamRequestType;
const messages = benchQueueMessages(BATCH);
let sequence = 0;

/** The broker's answer to a Get, as it comes off the wire: 100 messages with new sequences. */
function getAnswer(refRequestId) {
  for (const m of messages) m.Attributes.Sequence = BigInt(++sequence);
  const response = wire.QueuesDownstreamResponse.create({ TransactionId: crypto.randomUUID(), RefRequestId: refRequestId, RequestTypeData: Get, Messages: messages });
  const bytes = wire.QueuesDownstreamResponse.encode(response).finish();
  // grpc-js hands the decoder a Buffer.
  return core.QueuesDownstreamResponse.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

const internals = fakes.fakeInternals({
  defaultTimeoutMs: 10_000,
  bidi: (_path, observer) => ({
    answer: (request, call) => {
      call.written.length = 0; // the fake keeps every write; this run makes thousands
      core.QueuesDownstreamRequest.encode(request).finish();
      if (request.RequestTypeData === Get) observer.next(getAnswer(request.RequestID));
    },
  }),
});
const client = {};
core.attachInternals(client, internals);
const q = queues(client);

/** The bench's SDK consumer loop (tools/bench/clients/sdk.mjs, openDownstream). */
async function sdk(batches) {
  const iterator = q.transactions({ channel: 'bench', maxItems: BATCH, waitTimeoutMs: 1000 })[Symbol.asyncIterator]();
  let acked = Promise.resolve();
  let received = 0;
  for (let b = 0; b < batches; b++) {
    await acked;
    const { value: tx } = await iterator.next();
    received += tx.messages.map((m) => m.body).length;
    acked = tx.ackAll();
  }
  await acked;
  await iterator.return();
  return received;
}

/** The bench's raw consumer loop (tools/bench/clients/raw.mjs, openDownstream), minus grpc-js. */
async function rawLike(batches) {
  let received = 0;
  const request = (type, extra) => ({ RequestID: core.newId(), ClientID: 'c', RequestTypeData: type, Channel: 'bench', MaxItems: 0, WaitTimeout: 0, AutoAck: false, ReQueueChannel: '', SequenceRange: [], RefTransactionId: '', Metadata: {}, ...extra });
  for (let b = 0; b < batches; b++) {
    const get = request(Get, { MaxItems: BATCH, WaitTimeout: 1000 });
    core.QueuesDownstreamRequest.encode(get).finish();
    const answer = await new Promise((resolve) => queueMicrotask(() => resolve(getAnswer(get.RequestID))));
    received += answer.Messages.map((m) => m.Body).length;
    core.QueuesDownstreamRequest.encode(request(AckAll, { RefTransactionId: answer.TransactionId })).finish();
  }
  return received;
}

const sides = [['raw-like', rawLike], ['sdk', sdk]].filter(([name]) => !process.env.ONLY || name === process.env.ONLY);
const figures = new Map(sides.map(([name]) => [name, []]));
// Alternating passes, the first of each side a warm-up; the median of the rest is the figure (a
// pass's garbage collections land unevenly, so single passes swing by ±0.5 µs).
for (let pass = 0; pass < 8; pass++) {
  for (const [name, run] of sides) {
    const c0 = process.cpuUsage();
    const received = await run(BATCHES);
    const c = process.cpuUsage(c0);
    if (pass > 0) figures.get(name).push((c.user + c.system) / received);
  }
}
for (const [name, values] of figures) {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(`${name.padEnd(8)} ${median.toFixed(2)} µs CPU per message (median of ${values.length} passes of ${BATCHES} batches of ${BATCH}; ${sorted[0].toFixed(2)}–${sorted.at(-1).toFixed(2)})`);
}
