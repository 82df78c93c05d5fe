// Micro-benchmark of the SDK's own work per request in a handler helper (commands/queries
// `handle()`), without a network: wire requests are pushed into a real RequestResponder (its real
// RequestsEngine and core's recoverable() stream), the handler echoes the body as a query does in the
// bench, and the fake unary call encodes the Response and resolves. What it measures: converting the
// request, the concurrency limit, building and validating the reply, the promise chain. What it
// leaves out: grpc-js, HTTP/2 and the decode of the request (the same for every client).
//   node tools/bench/micro/responder-path.bench.mjs            (bundles the sources it measures: no build needed)

import { importSources } from '../lib/sources.mjs';

// The sender's side of the wire (the emulator's complete codecs) makes the requests' bytes; the
// SDK's own codec decodes them, as grpc-js does for it.
const [{ RequestResponder }, { RequestsEngine }, { QUERIES }, { toQueryReceive }, { Request }, wire] = await importSources([
  'packages/rpc/src/internal/serve/responder.ts',
  'packages/rpc/src/internal/client/requests-engine.ts',
  'packages/rpc/src/internal/kind.ts',
  'packages/rpc/src/internal/convert/received.ts',
  'packages/core/src/internal/generated/kubemq.ts',
  'packages/emulator/src/generated/kubemq.ts',
]);

const BATCH = 32; // requests in flight, as in queries-c32
const ROUNDS = Number(process.argv[2] ?? 4000);

let observer; // the request stream's observer, set when the responder opens it
let answered = 0;
let wake;
const internals = {
  clientId: 'micro-responder',
  logger: { debug() {}, info() {}, warn: (m) => console.warn(m), error: (m) => console.error(m) },
  options: { maxMessageBytes: 16 * 1024 * 1024, defaultTimeoutMs: 10_000, reconnect: { initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0, maxAttempts: 0 } },
  state: 'ready',
  telemetry: undefined,
  whenReady: () => Promise.resolve(),
  serverStream(_method, _request, streamObserver) {
    observer = streamObserver;
    return { cancel() {} };
  },
  unary(method, request) {
    method.serialize(request);
    if (++answered % BATCH === 0) wake?.();
    return Promise.resolve({});
  },
  onReconnect: () => () => undefined,
  track: () => () => undefined,
};
const engine = Object.create(RequestsEngine.prototype);
Object.assign(engine, { internals, kind: QUERIES });
const responder = new RequestResponder(engine, { channel: 'micro.q', concurrency: 256 }, (q) => ({ body: q.body }), toQueryReceive);
await new Promise((resolve) => setTimeout(resolve, 10));
if (!observer) throw new Error('the responder did not open its request stream');

// Requests as grpc-js hands them over: decoded from the wire, 1 KB bodies.
const encoded = Array.from({ length: BATCH }, (_, i) =>
  wire.Request.encode(
    wire.Request.create({ RequestID: `req-${i}`, RequestTypeData: 2, ClientID: 'sender', Channel: 'micro.q', Body: Buffer.alloc(1024, 120), ReplyChannel: `_INBOX.abc.${i}`, Timeout: 10_000, Tags: {} }),
  ).finish(),
);

async function round() {
  const target = answered + BATCH;
  const done = new Promise((resolve) => (wake = resolve));
  for (const bytes of encoded) observer.next(Request.decode(bytes));
  await done;
  if (answered !== target) throw new Error(`answered ${answered}, expected ${target}`);
}

for (let pass = 0; pass < 3; pass++) {
  // Decoding is part of every client's cost: measure it apart and subtract it.
  const d0 = process.cpuUsage();
  for (let r = 0; r < ROUNDS; r++) for (const bytes of encoded) Request.decode(bytes);
  const decodeCpu = process.cpuUsage(d0);
  const c0 = process.cpuUsage();
  for (let r = 0; r < ROUNDS; r++) await round();
  const c = process.cpuUsage(c0);
  const n = ROUNDS * BATCH;
  const perRequest = (c.user + c.system - (decodeCpu.user + decodeCpu.system)) / n;
  if (pass > 0) console.log(`responder path: ${perRequest.toFixed(2)} µs CPU per request (excluding decode), ${n} requests`);
}
await responder.stop();
