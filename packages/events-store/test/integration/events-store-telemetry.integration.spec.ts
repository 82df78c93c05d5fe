import { SpanKind } from '@opentelemetry/api';
import { KubemqClient } from '@kubemq/core';
import { openTelemetry } from '@kubemq/core/opentelemetry';
import { eventually, sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { captureTelemetry, type TelemetryCapture } from '@kubemq/testing/opentelemetry';
import { eventsStore, eventStoreStream, StartPosition, type EventStoreReceive } from '../../src/index.js';

describe('events-store tracing through the broker (integration)', () => {
  let capture: TelemetryCapture;
  let producer: KubemqClient;
  let consumer: KubemqClient;

  beforeAll(async () => {
    capture = captureTelemetry();
    const telemetry = openTelemetry(capture);
    const { address } = sharedBroker();
    producer = await KubemqClient.connect({ address, clientId: uniqueClientId('es-otel-p'), telemetry });
    consumer = await KubemqClient.connect({ address, clientId: uniqueClientId('es-otel-c'), telemetry });
  });
  afterAll(async () => {
    await producer?.close();
    await consumer?.close();
    await capture?.shutdown();
  });

  it("a replayed event is processed in a child of the span that stored it, for send() and a stream handle", async () => {
    const channel = uniqueChannel('es.otel');
    const stored = await eventsStore(producer).send({ channel, body: 'one' });
    const stream = eventStoreStream(producer);
    const streamed = await stream.send({ channel, body: 'two' });
    await stream.close();
    const seen: EventStoreReceive[] = [];
    const tracer = capture.tracerProvider.getTracer('user');
    const sub = eventsStore(consumer)
      .subscribe({ channel, startAt: StartPosition.fromFirst() })
      .subscribe((event) => {
        seen.push(event);
        tracer.startActiveSpan(`audit ${event.id}`, (span) => span.end());
      });
    try {
      await eventually(() => expect(seen).toHaveLength(2));
      const spans = await capture.waitForSpans((all) => all.filter((s) => s.name.startsWith('audit ')).length === 2);
      for (const id of [stored.id, streamed.id]) {
        const send = spans.find((s) => s.name === `send ${channel}` && s.attributes['messaging.message.id'] === id);
        const process = spans.find((s) => s.name === `process ${channel}` && s.attributes['messaging.message.id'] === id);
        const audit = spans.find((s) => s.name === `audit ${id}`);
        expect(send).toMatchObject({ kind: SpanKind.PRODUCER });
        expect(send?.attributes['kubemq.channel.type']).toBe('events_store');
        expect(process).toMatchObject({ kind: SpanKind.CONSUMER });
        expect(process?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
        expect(process?.spanContext().traceId).toBe(send?.spanContext().traceId);
        expect(audit?.parentSpanContext?.spanId).toBe(process?.spanContext().spanId);
      }
    } finally {
      sub.unsubscribe();
    }
  });
});
