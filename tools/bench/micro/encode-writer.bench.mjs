// Micro-benchmark behind packages/core/src/internal/transport/serialize.ts: encoding a wire Event
// as grpc-js's serializer does, with a new BinaryWriter per message (ts-proto's default: a 128-byte
// buffer that doubles, with a copy, up to the message size) against one writer reused by every
// encode. Both end with finish() (a copy of the bytes) and a Buffer view, as the serializer does.
//   node tools/bench/micro/encode-writer.bench.mjs [encodes]  (bundles the sources it measures: no build needed)

import { importSources } from '../lib/sources.mjs';

// Core's own codec and wire runtime, as its serializer uses them (core's Event codec only encodes),
// and the emulator's complete codec, which makes a complete Event message (every field set).
const [{ Event }, { BinaryWriter }, wire] = await importSources([
  'packages/core/src/internal/generated/kubemq.ts',
  'packages/core/src/internal/wire/binary.ts',
  'packages/emulator/src/generated/kubemq.ts',
]);
const scratch = new BinaryWriter();
const asBuffer = (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

function cpuNsPer(n, f) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) f();
  const c = process.cpuUsage(c0);
  return (((c.user + c.system) / n) * 1000).toFixed(0);
}

for (const size of [64, 1024, 65536]) {
  const event = wire.Event.create({ EventID: '5f0c6a1e-7f4b-4c1d-9e55-0a3b2c1d4e5f', ClientID: 'bench-client', Channel: 'bench.events', Body: Buffer.alloc(size, 120), Tags: {} });
  const n = Number(process.argv[2] ?? (size > 10_000 ? 20_000 : 300_000));
  for (let pass = 0; pass < 3; pass++) {
    const fresh = cpuNsPer(n, () => asBuffer(Event.encode(event).finish()));
    const reused = cpuNsPer(n, () => asBuffer(Event.encode(event, scratch).finish()));
    if (pass > 0) console.log(`Event with a ${size} B body: new writer ${fresh} ns, reused writer ${reused} ns CPU per encode`);
  }
}
