// Micro-benchmark of the SDK's own work per request on the sending side (`queries(client).send()`),
// without a network: a real RequestsEngine whose unary call encodes the Request and answers with a
// decoded Response. What it measures: validation, ids, building the wire request, the promise chain
// and the typed response. What it leaves out: grpc-js, HTTP/2 and the decode of the response (the
// same for every client; measured apart and subtracted).
//   node tools/bench/micro/requester-path.bench.mjs            (bundles the sources it measures: no build needed)

import { importSources } from '../lib/sources.mjs';

// The responder's side of the wire (the emulator's complete codecs) makes the answer's bytes; the
// SDK's own codec decodes them.
const [{ RequestsEngine }, { QUERIES }, { toQueryResponse }, { Response }, wire] = await importSources([
  'packages/rpc/src/internal/client/requests-engine.ts',
  'packages/rpc/src/internal/kind.ts',
  'packages/rpc/src/internal/convert/response.ts',
  'packages/core/src/internal/generated/kubemq.ts',
  'packages/emulator/src/generated/kubemq.ts',
]);

const BATCH = 32; // requests in flight, as in queries-c32
const ROUNDS = Number(process.argv[2] ?? 4000);
const answer = wire.Response.encode(
  wire.Response.create({ ClientID: 'responder', RequestID: 'r', ReplyChannel: '', Body: Buffer.alloc(1024, 120), Timestamp: BigInt(Date.now()) * 1_000_000n, Executed: true, Tags: {} }),
).finish();

const internals = {
  clientId: 'micro-requester',
  logger: { debug() {}, info() {}, warn: (m) => console.warn(m), error: (m) => console.error(m) },
  options: { maxMessageBytes: 16 * 1024 * 1024, defaultTimeoutMs: 10_000 },
  state: 'ready',
  telemetry: undefined,
  unary(method, request) {
    method.serialize(request);
    return Promise.resolve(method.responseCodec.decode(answer));
  },
};
const engine = Object.create(RequestsEngine.prototype);
Object.assign(engine, { internals, kind: QUERIES });
const body = Buffer.alloc(1024, 120);

for (let pass = 0; pass < 3; pass++) {
  const d0 = process.cpuUsage();
  for (let r = 0; r < ROUNDS * BATCH; r++) Response.decode(answer);
  const decodeCpu = process.cpuUsage(d0);
  const c0 = process.cpuUsage();
  for (let r = 0; r < ROUNDS; r++) {
    const sends = [];
    for (let i = 0; i < BATCH; i++) sends.push(engine.send({ channel: 'micro.q', body, timeoutMs: 10_000 }, undefined, toQueryResponse));
    const responses = await Promise.all(sends);
    if (!responses[BATCH - 1].executed) throw new Error('not executed');
  }
  const c = process.cpuUsage(c0);
  const n = ROUNDS * BATCH;
  const perRequest = (c.user + c.system - (decodeCpu.user + decodeCpu.system)) / n;
  if (pass > 0) console.log(`requester path: ${perRequest.toFixed(2)} µs CPU per request (excluding decode), ${n} requests`);
}
