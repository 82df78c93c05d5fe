import { SpanStatusCode } from '@opentelemetry/api';
import { KubemqClient } from '@kubemq/core';
import { openTelemetry } from '@kubemq/core/opentelemetry';
import { probeUntil, sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { captureTelemetry, type TelemetryCapture } from '@kubemq/testing/opentelemetry';
import { largestValidBody } from '@kubemq/test-fakes';
import { events, eventStream, type EventReceive } from '../../src/index.js';

// Tracing writes the trace context (about 70 bytes, more with a tracestate) into each event's
// tags; the size checks count it. And a `for await` loop is not traced: it handles each event
// after it was buffered, so a process span there would time nothing.

const LIMIT = 16 * 1024;
const PROBE = 'probe';

describe('events: what tracing adds to an event is checked; for-await loops are untraced (integration)', () => {
  let capture: TelemetryCapture;
  let producer: KubemqClient;
  let consumer: KubemqClient;
  /** Traced, with a low maxMessageBytes; and the same without tracing. */
  let traced: KubemqClient;
  let plain: KubemqClient;

  beforeAll(async () => {
    capture = captureTelemetry();
    const telemetry = openTelemetry(capture);
    const { address } = sharedBroker();
    producer = await KubemqClient.connect({ address, clientId: uniqueClientId('ev-otel-x-p'), telemetry });
    consumer = await KubemqClient.connect({ address, clientId: uniqueClientId('ev-otel-x-c'), telemetry });
    traced = await KubemqClient.connect({ address, clientId: uniqueClientId('ev-otel-x-size'), maxMessageBytes: LIMIT, telemetry });
    plain = await KubemqClient.connect({ address, clientId: uniqueClientId('ev-otel-x-size-plain'), maxMessageBytes: LIMIT });
  });
  afterAll(async () => {
    for (const client of [producer, consumer, traced, plain]) await client?.close();
    await capture?.shutdown();
  });

  it('a `for await` loop over subscribe() gets no process spans: it handles each event after it was buffered', async () => {
    const channel = uniqueChannel('ev.otel.loop');
    const received: EventReceive[] = [];
    const loop = (async () => {
      for await (const event of events(consumer).subscribe({ channel })) {
        received.push(event);
        if (event.metadata !== PROBE) break;
      }
    })();
    await probeUntil(() => events(producer).send({ channel, metadata: PROBE }), () => received.length > 0, { timeoutMs: 15_000 });
    const { id } = await events(producer).send({ channel, body: 'payload' });
    await loop;
    expect(received.at(-1)?.id).toBe(id);
    // Its send span is there; no delivery got a process span, nor a process-duration sample.
    await capture.waitForSpans((all) => all.some((s) => s.name === `send ${channel}` && s.attributes['messaging.message.id'] === id));
    expect(capture.spans().filter((s) => s.name === `process ${channel}`)).toEqual([]);
    const points = await capture.metrics();
    expect(points.filter((p) => p.name === 'messaging.process.duration' && p.attributes['messaging.destination.name'] === channel)).toEqual([]);
  });

  it('with tracing, an event that fits only without the trace context is refused before it is sent; the sends beside it on the stream go through', async () => {
    const channel = uniqueChannel('ev.otel.size');
    const body = new Uint8Array(await largestValidBody(LIMIT, (b, signal) => events(plain).send({ channel, body: b }, { signal })));
    const refused = { code: 'VALIDATION', field: 'event', channel };
    const stream = eventStream(traced);
    try {
      // On the shared send stream, with small events in flight on it.
      const beside = Array.from({ length: 5 }, (_, i) => events(traced).send({ channel, body: `small-${i}` }));
      await expect(events(traced).send({ channel, body })).rejects.toMatchObject({ ...refused, operation: 'events.send' });
      await expect(Promise.all(beside)).resolves.toHaveLength(5);
      await expect(events(traced, { sendMode: 'unary' }).send({ channel, body })).rejects.toMatchObject({ ...refused, operation: 'events.send' });
      await expect(stream.send({ channel, body })).rejects.toMatchObject({ ...refused, operation: 'events.stream' });
      await stream.send({ channel, body: 'after' });
      await stream.flush();
      // Untraced, it fits.
      await expect(events(plain).send({ channel, body })).resolves.toMatchObject({ sent: true });
      // The refusal is the send span's error.
      const span = capture.spans().find((s) => s.name === `send ${channel}` && s.attributes['error.type'] === 'VALIDATION');
      expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    } finally {
      await stream.close();
    }
  });
});
