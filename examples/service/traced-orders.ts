// One order followed across three patterns with typed channels and OpenTelemetry: the web tier
// publishes a typed `OrderPlaced` event, the fulfilment service takes it and queues a typed job,
// a worker asks the inventory service a typed query. Every hop's span is a child of the one
// before, through the broker, because each message carries its producer's trace context in its
// tags. The spans are collected in memory and printed as one trace tree.
// Run: KUBEMQ_ADDRESS=localhost:50000 npx tsx examples/service/traced-orders.ts
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { jsonCodec, KubemqClient } from '@kubemq/core';
import { openTelemetry } from '@kubemq/core/opentelemetry';
import { eventChannel, eventListener } from '@kubemq/events';
import { queueChannel, queueConsumer } from '@kubemq/queues';
import { queryChannel, queryResponder } from '@kubemq/rpc';

const address = process.env['KUBEMQ_ADDRESS'] ?? 'localhost:50000';
const run = `orders-example-${process.pid}`;

interface OrderPlaced {
  orderId: string;
  sku: string;
  quantity: number;
}
interface PickJob {
  orderId: string;
  sku: string;
}
interface Stock {
  available: number;
}

const isOrder = (value: unknown): OrderPlaced => {
  const o = value as OrderPlaced;
  if (typeof o?.orderId !== 'string' || typeof o.sku !== 'string' || !Number.isInteger(o.quantity)) throw new TypeError('not an OrderPlaced');
  return o;
};

async function main(): Promise<void> {
  // Spans of user code become children of the SDK's spans through the active context.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const telemetry = openTelemetry({ tracerProvider });
  const tracer = tracerProvider.getTracer('orders-example');
  const connect = (name: string) => KubemqClient.connect({ address, clientId: `${run}-${name}`, telemetry });
  const [web, fulfilment, inventory] = await Promise.all([connect('web'), connect('fulfilment'), connect('inventory')]);

  const placed = (client: KubemqClient) => eventChannel(client, { channel: `${run}.placed`, codec: jsonCodec<OrderPlaced>({ validate: isOrder }) });
  const picks = (client: KubemqClient) => queueChannel(client, { channel: `${run}.picks`, codec: jsonCodec<PickJob>() });
  const stock = (client: KubemqClient) =>
    queryChannel(client, { channel: `${run}.stock`, codec: jsonCodec<{ sku: string }>(), responseCodec: jsonCodec<Stock>() });

  try {
    // Inventory answers stock queries.
    await using responder = queryResponder(stock(inventory), {}, async (q) => ({ value: { available: q.value.sku === 'sku-7' ? 12 : 0 } }));
    await responder.ready();

    // A worker picks the job and checks the stock (inside the job's process span).
    let stockSeen!: (available: number) => void;
    const checked = new Promise<number>((resolve) => (stockSeen = resolve));
    await using worker = queueConsumer(picks(fulfilment), {}, async (job) => {
      const answer = await stock(fulfilment).send({ value: { sku: job.value.sku }, timeoutMs: 5000 });
      stockSeen(answer.ok ? answer.value.available : -1);
    });

    // Fulfilment turns each OrderPlaced into a pick job (inside the event's process span).
    await using listener = eventListener(placed(fulfilment), {}, async (event) => {
      if (event.ok) await picks(fulfilment).send({ value: { orderId: event.value.orderId, sku: event.value.sku } });
    });
    // Events reach only live subscribers: ready() proves the broker routes them to this listener.
    await listener.ready();

    // The web tier: one request span, one event.
    await tracer.startActiveSpan('POST /orders', async (span) => {
      await placed(web).send({ value: { orderId: 'o-1001', sku: 'sku-7', quantity: 2 } });
      span.end();
    });
    const available = await within(checked, 15_000, 'the worker to check the stock');
    await Promise.all([listener.stop(), worker.stop(), responder.stop()]);
    if (available !== 12) throw new Error(`the worker saw ${available} in stock, expected 12`);
    console.log('order o-1001: picked, 12 in stock');

    // One trace, from the web request to the inventory answer. A process span ends just after its
    // handler returns: give the last ones a moment to be exported.
    const expected = [`send ${run}.placed`, `process ${run}.placed`, `send ${run}.picks`, `process ${run}.picks`, `send ${run}.stock`, `process ${run}.stock`];
    const orderTrace = () => {
      const spans = exporter.getFinishedSpans();
      const root = spans.find((s) => s.name === 'POST /orders');
      const inTrace = spans.filter((s) => s.spanContext().traceId === root?.spanContext().traceId);
      return { root, inTrace, missing: expected.filter((name) => !inTrace.some((s) => s.name === name)) };
    };
    for (const deadline = Date.now() + 5000; orderTrace().missing.length > 0 && Date.now() < deadline; ) await pause(20);
    const { root, inTrace, missing } = orderTrace();
    printTree(inTrace, root);
    if (missing.length > 0) throw new Error(`not in the order's trace: ${missing.join(', ')}`);
    console.log(`one trace of ${inTrace.length} spans across events, queues and queries`);
  } finally {
    await Promise.all([web.close(), fulfilment.close(), inventory.close()]);
    trace.disable();
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or an error naming `what` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function printTree(spans: ReadableSpan[], node: ReadableSpan | undefined, depth = 0): void {
  if (!node) return;
  console.log(`${'  '.repeat(depth)}${node.name} (${node.attributes['kubemq.channel.type'] ?? 'app'})`);
  for (const child of spans.filter((s) => s.parentSpanContext?.spanId === node.spanContext().spanId)) printTree(spans, child, depth + 1);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
