import { SpanKind } from '@opentelemetry/api';
import { KubemqClient } from '@kubemq/core';
import { openTelemetry } from '@kubemq/core/opentelemetry';
import { eventually, probeUntil, sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { captureTelemetry, type TelemetryCapture } from '@kubemq/testing/opentelemetry';
import { eventListener, events, eventStream, type EventReceive } from '../../src/index.js';

const PROBE = 'probe';

describe('events tracing through the broker (integration)', () => {
  let capture: TelemetryCapture;
  let producer: KubemqClient;
  let consumer: KubemqClient;

  beforeAll(async () => {
    capture = captureTelemetry();
    const telemetry = openTelemetry(capture);
    const { address } = sharedBroker();
    producer = await KubemqClient.connect({ address, clientId: uniqueClientId('ev-otel-p'), telemetry });
    consumer = await KubemqClient.connect({ address, clientId: uniqueClientId('ev-otel-c'), telemetry });
  });
  afterAll(async () => {
    await producer?.close();
    await consumer?.close();
    await capture?.shutdown();
  });

  async function roundTrip(channel: string, send: (body: string) => Promise<string>, group?: string) {
    const user: string[] = [];
    const tracer = capture.tracerProvider.getTracer('user');
    const received: EventReceive[] = [];
    const sub = events(consumer)
      .subscribe({ channel, ...(group && { group }) })
      .subscribe((event) => {
        received.push(event);
        // Work done in the callback is part of the consumer's trace.
        if (event.metadata !== PROBE) tracer.startActiveSpan(`handle ${event.id}`, (span) => (user.push(span.spanContext().spanId), span.end()));
      });
    try {
      await probeUntil(() => events(producer).send({ channel, metadata: PROBE }), () => received.some((e) => e.metadata === PROBE), { timeoutMs: 15_000 });
      capture.reset();
      const id = await send('payload');
      await eventually(() => expect(received.some((e) => e.id === id)).toBe(true));
      const spans = await capture.waitForSpans((all) => all.some((s) => s.name === `handle ${id}`));
      return { id, spans, received: received.find((e) => e.id === id) };
    } finally {
      sub.unsubscribe();
    }
  }

  it("send() (shared stream): the consumer's process span is a child of the producer's send span", async () => {
    const channel = uniqueChannel('ev.otel');
    const { id, spans, received } = await roundTrip(channel, async (body) => (await events(producer).send({ channel, body, tags: { app: 'x' } })).id, 'workers');
    const send = spans.find((s) => s.name === `send ${channel}` && s.attributes['messaging.message.id'] === id);
    const process = spans.find((s) => s.name === `process ${channel}` && s.attributes['messaging.message.id'] === id);
    const handle = spans.find((s) => s.name === `handle ${id}`);
    expect(send).toMatchObject({ kind: SpanKind.PRODUCER });
    expect(send?.attributes).toMatchObject({ 'messaging.system': 'kubemq', 'messaging.destination.name': channel, 'messaging.message.body.size': 7 });
    expect(process).toMatchObject({ kind: SpanKind.CONSUMER });
    expect(process?.attributes).toMatchObject({ 'messaging.consumer.group.name': 'workers', 'messaging.operation.type': 'process' });
    expect(process?.spanContext().traceId).toBe(send?.spanContext().traceId);
    expect(process?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
    expect(handle?.parentSpanContext?.spanId).toBe(process?.spanContext().spanId);
    // The context travelled as a W3C traceparent tag, next to the caller's own tags.
    expect(received?.tags).toEqual({ app: 'x', traceparent: `00-${send?.spanContext().traceId}-${send?.spanContext().spanId}-01` });
  });

  it('unary send() and a stream handle propagate the same way', async () => {
    for (const mode of ['unary', 'stream-handle'] as const) {
      const channel = uniqueChannel(`ev.otel.${mode}`);
      const stream = eventStream(producer);
      try {
        const { id, spans } = await roundTrip(channel, async (body) => {
          if (mode === 'unary') return (await events(producer, { sendMode: 'unary' }).send({ channel, body })).id;
          const eventId = `sh-${Date.now()}`;
          return (await stream.send({ channel, body, id: eventId })).id;
        });
        const send = spans.find((s) => s.name === `send ${channel}` && s.attributes['messaging.message.id'] === id);
        const process = spans.find((s) => s.name === `process ${channel}` && s.attributes['messaging.message.id'] === id);
        expect(process?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
      } finally {
        await stream.close();
      }
    }
  });

  it("a listener's handler runs inside the process span, a child of the producer's send span; probes are not traced", async () => {
    const channel = uniqueChannel('ev.otel.listen');
    const tracer = capture.tracerProvider.getTracer('user');
    const handled: string[] = [];
    const listener = eventListener(consumer, { channel }, (event) =>
      tracer.startActiveSpan(`handle ${event.id}`, (span) => {
        handled.push(event.id);
        span.end();
      }),
    );
    try {
      await listener.ready();
      const { id } = await events(producer).send({ channel, body: 'payload' });
      // The process span ends once the handler has returned, just after the handler's own span.
      const spans = await capture.waitForSpans(
        (all) => all.some((s) => s.name === `handle ${id}`) && all.some((s) => s.name === `process ${channel}` && s.attributes['messaging.message.id'] === id),
      );
      const send = spans.find((s) => s.name === `send ${channel}` && s.attributes['messaging.message.id'] === id);
      const process = spans.find((s) => s.name === `process ${channel}` && s.attributes['messaging.message.id'] === id);
      const handle = spans.find((s) => s.name === `handle ${id}`);
      expect(process?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
      expect(handle?.parentSpanContext?.spanId).toBe(process?.spanContext().spanId);
      // Only the event was traced: the readiness probes went to the same channel without spans.
      expect(spans.filter((s) => s.attributes['messaging.destination.name'] === channel).map((s) => s.attributes['messaging.message.id'])).toEqual([id, id]);
      expect(handled).toEqual([id]);
    } finally {
      await listener.stop();
    }
  });

  it("a listener or a subscription created inside an application span records nothing into that span's trace", async () => {
    const channel = uniqueChannel('ev.otel.detached');
    // Events from a producer without tracing carry no trace context.
    await using plain = await KubemqClient.connect({ address: sharedBroker().address, clientId: uniqueClientId('ev-otel-plain') });
    const tracer = capture.tracerProvider.getTracer('app');
    const handled: string[] = [];
    const received: string[] = [];
    let startupTrace = '';
    const { listener, sub } = tracer.startActiveSpan('app-startup', (span) => {
      startupTrace = span.spanContext().traceId;
      const created = {
        listener: eventListener(consumer, { channel }, (event) => void handled.push(event.id)),
        sub: events(consumer)
          .subscribe({ channel })
          .subscribe((event) => void received.push(event.id)),
      };
      span.end();
      return created;
    });
    try {
      await listener.ready();
      await probeUntil(() => events(plain).send({ channel, metadata: PROBE }), () => received.length > 0, { timeoutMs: 15_000 });
      const { id } = await events(plain).send({ channel, body: 'late' });
      await eventually(() => expect([handled.includes(id), received.includes(id)]).toEqual([true, true]));
      const spans = await capture.waitForSpans((all) => all.filter((s) => s.name === `process ${channel}` && s.attributes['messaging.message.id'] === id).length === 2);
      const processes = spans.filter((s) => s.name === `process ${channel}` && s.attributes['messaging.message.id'] === id);
      for (const process of processes) {
        expect(process.parentSpanContext).toBeUndefined();
        expect(process.spanContext().traceId).not.toBe(startupTrace);
      }
      expect(spans.filter((s) => s.spanContext().traceId === startupTrace).map((s) => s.name)).toEqual(['app-startup']);
    } finally {
      sub.unsubscribe();
      await listener.stop();
    }
  });

  it("a Telemetry that throws breaks neither a listener (its stats, its stop()) nor a subscription's deliveries", async () => {
    const channel = uniqueChannel('ev.otel.throwing');
    const bug = (): never => {
      throw new Error('exporter bug');
    };
    await using client = await KubemqClient.connect({
      address: sharedBroker().address,
      clientId: uniqueClientId('ev-otel-bug'),
      telemetry: { instrument: () => ({ start: bug, reconnected: bug, retried: bug }) },
    });
    const handled: string[] = [];
    const received: string[] = [];
    const errors: unknown[] = [];
    const listener = eventListener(client, { channel, onError: (err) => void errors.push(err) }, (event) => void handled.push(event.id));
    const sub = events(client)
      .subscribe({ channel })
      .subscribe({ next: (event) => void received.push(event.id), error: (err: unknown) => void errors.push(err) });
    try {
      await listener.ready();
      await probeUntil(() => events(client).send({ channel, metadata: PROBE }), () => received.length > 0, { timeoutMs: 15_000 });
      const { id } = await events(client).send({ channel, body: 'x' });
      await eventually(() => expect([handled.includes(id), received.includes(id)]).toEqual([true, true]));
      await eventually(() => expect(listener.stats).toMatchObject({ running: 0, handlerErrors: 0 }));
      expect(errors).toEqual([]);
    } finally {
      sub.unsubscribe();
    }
    await expect(listener.stop()).resolves.toBeUndefined();
  });

  it('counts sent and consumed messages', async () => {
    const channel = uniqueChannel('ev.otel.metrics');
    await roundTrip(channel, async (body) => (await events(producer).send({ channel, body })).id);
    const points = await capture.metrics();
    const on = (name: string) => points.filter((p) => p.name === name && p.attributes['messaging.destination.name'] === channel);
    expect(on('messaging.client.sent.messages').reduce((n, p) => n + p.value, 0)).toBeGreaterThanOrEqual(2);
    expect(on('messaging.client.consumed.messages').reduce((n, p) => n + p.value, 0)).toBeGreaterThanOrEqual(2);
    expect(on('messaging.process.duration').length).toBeGreaterThan(0);
  });
});
