import { SpanKind } from '@opentelemetry/api';
import { KubemqClient } from '@kubemq/core';
import { openTelemetry } from '@kubemq/core/opentelemetry';
import { eventually, sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { captureTelemetry, type TelemetryCapture } from '@kubemq/testing/opentelemetry';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { queueConsumer, queues, queueUpstream } from '../../src/index.js';

describe('queues tracing through the broker (integration)', () => {
  let capture: TelemetryCapture;
  let producer: KubemqClient;
  let consumer: KubemqClient;

  beforeAll(async () => {
    capture = captureTelemetry();
    const telemetry = openTelemetry(capture);
    const { address } = sharedBroker();
    producer = await KubemqClient.connect({ address, clientId: uniqueClientId('q-otel-p'), telemetry });
    consumer = await KubemqClient.connect({ address, clientId: uniqueClientId('q-otel-c'), telemetry });
  });
  afterAll(async () => {
    await producer?.close();
    await consumer?.close();
    await capture?.shutdown();
  });

  const byName = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);

  it("consume(): each handler call runs in a process span that is a child of the message's send span", async () => {
    const channel = uniqueChannel('q.otel.consume');
    const sent = await queues(producer).send({ channel, body: 'job-1' });
    const batch = await queues(producer).sendBatch([{ channel, body: 'job-2' }, { channel, body: 'job-3' }]);
    const tracer = capture.tracerProvider.getTracer('user');
    const done: string[] = [];
    const worker = queueConsumer(consumer, { channel, waitTimeoutMs: 1000 }, (m) =>
      tracer.startActiveSpan(`work ${m.text()}`, (span) => (done.push(m.id), span.end())),
    );
    try {
      await eventually(() => expect(done).toHaveLength(3));
    } finally {
      await worker.stop();
    }
    const spans = await capture.waitForSpans((all) => byName(all, `ack ${channel}`).length > 0);
    const single = spans.find((s) => s.name === `send ${channel}` && s.attributes['messaging.message.id'] === sent.id);
    const batchSpan = spans.find((s) => s.name === `send ${channel}` && s.attributes['messaging.batch.message_count'] === 2);
    expect(single).toMatchObject({ kind: SpanKind.PRODUCER });
    expect(batchSpan).toBeDefined();
    for (const [id, parent] of [
      [sent.id, single],
      [batch.results[0]?.id, batchSpan],
      [batch.results[1]?.id, batchSpan],
    ] as const) {
      const process = spans.find((s) => s.name === `process ${channel}` && s.attributes['messaging.message.id'] === id);
      expect(process).toMatchObject({ kind: SpanKind.CONSUMER });
      expect(process?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
      const work = spans.find((s) => s.name.startsWith('work ') && s.parentSpanContext?.spanId === process?.spanContext().spanId);
      expect(work).toBeDefined();
    }
    // The poll that took them and the settlement that acked them link back to the producers.
    const poll = byName(spans, `poll ${channel}`).find((s) => s.links.some((l) => l.context.spanId === single?.spanContext().spanId));
    expect(poll).toMatchObject({ kind: SpanKind.CLIENT });
    expect(poll?.links.map((l) => l.context.spanId)).toContain(single?.spanContext().spanId);
    const ack = byName(spans, `ack ${channel}`)[0];
    expect(ack).toMatchObject({ kind: SpanKind.CLIENT });
    expect(ack?.attributes['messaging.operation.type']).toBe('settle');
    expect(ack?.links.length).toBeGreaterThan(0);
  });

  it('a consumer and a subscription started inside an app span poll, and the consumer settles, in traces of their own, not under that span', async () => {
    const channel = uniqueChannel('q.otel.loop');
    const subChannel = uniqueChannel('q.otel.loop.sub');
    const tracer = capture.tracerProvider.getTracer('user');
    const handled: string[] = [];
    const acked: string[] = [];
    let appTrace = '';
    const { worker, sub } = tracer.startActiveSpan('app startup', (span) => {
      appTrace = span.spanContext().traceId;
      try {
        return {
          worker: queueConsumer(consumer, { channel, waitTimeoutMs: 1000 }, (m) => void handled.push(m.text())),
          sub: queues(consumer)
            .subscribe({ channel: subChannel, maxItems: 1, waitTimeoutMs: 1000 })
            .subscribe((m) => void m.ack().then(() => acked.push(m.text()), () => undefined)),
        };
      } finally {
        span.end();
      }
    });
    try {
      await queues(producer).send({ channel, body: 'a' });
      await queues(producer).send({ channel: subChannel, body: 'b' });
      await eventually(() => expect([...handled, ...acked]).toEqual(expect.arrayContaining(['a', 'b'])));
    } finally {
      sub.unsubscribe();
      await worker.stop();
    }
    const spans = await capture.waitForSpans((all) => byName(all, `ack ${channel}`).length > 0 && byName(all, `ack ${subChannel}`).length > 0 && byName(all, `poll ${subChannel}`).length > 1);
    const loops = spans.filter((s) => [`poll ${channel}`, `ack ${channel}`, `poll ${subChannel}`].includes(s.name));
    expect(loops.map((s) => s.name)).toEqual(expect.arrayContaining([`poll ${channel}`, `ack ${channel}`, `poll ${subChannel}`]));
    for (const s of loops) {
      expect(s.spanContext().traceId).not.toBe(appTrace);
      expect(s.parentSpanContext).toBeUndefined();
    }
    expect(spans.filter((s) => s.spanContext().traceId === appTrace).map((s) => s.name)).toEqual(['app startup']);
    // The application's own ack keeps the context it is made in: here, the subscriber's process span.
    const process = byName(spans, `process ${subChannel}`)[0];
    expect(byName(spans, `ack ${subChannel}`)[0]?.parentSpanContext?.spanId).toBe(process?.spanContext().spanId);
  });

  it("subscribe() calls its subscriber in a child of each message's send span; upstream sends and the simple receive are traced", async () => {
    const channel = uniqueChannel('q.otel.sub');
    await using up = queueUpstream(producer);
    const { results } = await up.send([{ channel, body: 'a' }]);
    const id = results[0]?.id;
    const tracer = capture.tracerProvider.getTracer('user');
    const acked = new Promise<void>((resolve, reject) => {
      const sub = queues(consumer)
        .subscribe({ channel, maxItems: 1, waitTimeoutMs: 1000 })
        .subscribe((m) => tracer.startActiveSpan(`work ${m.id}`, (span) => (span.end(), m.ack().then(() => (sub.unsubscribe(), resolve()), reject))));
    });
    await acked;
    const spans = await capture.waitForSpans((all) => all.some((s) => s.name === `process ${channel}` && s.attributes['messaging.message.id'] === id));
    const send = spans.find((s) => s.name === `send ${channel}` && s.attributes['messaging.message.id'] === id);
    const process = spans.find((s) => s.name === `process ${channel}` && s.attributes['messaging.message.id'] === id);
    expect(process?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
    expect(spans.find((s) => s.name === `work ${id}`)?.parentSpanContext?.spanId).toBe(process?.spanContext().spanId);

    const simple = uniqueChannel('q.otel.simple');
    await queues(producer).send({ channel: simple, body: 'x' });
    const { messages } = await queues(consumer).receive({ channel: simple, maxItems: 5, waitTimeoutSeconds: 1 });
    expect(messages).toHaveLength(1);
    const receive = (await capture.waitForSpans((all) => all.some((s) => s.name === `receive ${simple}`))).find((s) => s.name === `receive ${simple}`);
    // One message: its id, not a batch count (the messaging conventions); a pull is a client call.
    expect(receive).toMatchObject({ kind: SpanKind.CLIENT });
    expect(receive?.attributes).toMatchObject({ 'messaging.message.id': messages[0]?.id, 'messaging.operation.type': 'receive' });
    expect(receive?.attributes).not.toHaveProperty(['messaging.batch.message_count']);
    expect(receive?.links).toHaveLength(1);
    const points = await capture.metrics();
    const consumed = points.filter((p) => p.name === 'messaging.client.consumed.messages' && p.attributes['messaging.destination.name'] === simple);
    expect(consumed.reduce((n, p) => n + p.value, 0)).toBe(1);
  });
});
