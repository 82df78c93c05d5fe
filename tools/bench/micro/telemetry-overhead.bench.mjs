// Micro-benchmark of what tracing costs per operation on the SDK's side: core's traced() around
// an already-resolved call, without telemetry (the default: one field check), and with
// openTelemetry() on an OpenTelemetry SDK tracer provider that samples everything (no exporter,
// so the cost is the SDK's span, its attributes and the traceparent written into the tags).
// The bench's clients run without telemetry, so this is the number to add for a traced app.
//   node tools/bench/micro/telemetry-overhead.bench.mjs        (bundles the sources it measures: no build needed)
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { importSources } from '../lib/sources.mjs';

const [{ traced }, { openTelemetry }] = await importSources(['packages/core/src/internal/index.ts', 'packages/core/src/opentelemetry/index.ts']);

const instrumentation = openTelemetry({ tracerProvider: new BasicTracerProvider(), meterProvider: new MeterProvider() }).instrument({
  address: '127.0.0.1:50000',
  clientId: 'bench-client',
});
const done = Promise.resolve({ id: 'x', sent: true });
const describe = (tags) => () => ({ pattern: 'events', type: 'send', name: 'send', channel: 'bench.events', messageId: 'm-1', bodySize: 1024, tags: [tags] });

async function cpuNsPer(n, telemetry) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await traced(telemetry, describe({ region: 'eu' }), () => done);
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) / n) * 1000;
}

for (let pass = 0; pass < 4; pass++) {
  const off = await cpuNsPer(200_000, undefined);
  const on = await cpuNsPer(50_000, instrumentation);
  if (pass > 0) console.log(`traced(): without telemetry ${off.toFixed(0)} ns, with openTelemetry() ${(on / 1000).toFixed(2)} µs CPU per operation`);
}
