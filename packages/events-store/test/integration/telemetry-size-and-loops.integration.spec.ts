import { KubemqClient } from '@kubemq/core';
import { openTelemetry } from '@kubemq/core/opentelemetry';
import { sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { captureTelemetry, type TelemetryCapture } from '@kubemq/testing/opentelemetry';
import { largestValidBody } from '@kubemq/test-fakes';
import { eventsStore, eventStoreStream, StartPosition } from '../../src/index.js';

// Tracing writes the trace context (about 70 bytes, more with a tracestate) into each event's
// tags; the size checks count it. And a `for await` loop is not traced: it handles each event
// after it was buffered, so a process span there would time nothing.

const LIMIT = 16 * 1024;

describe('events store: what tracing adds to an event is checked; for-await loops are untraced (integration)', () => {
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
    producer = await KubemqClient.connect({ address, clientId: uniqueClientId('es-otel-x-p'), telemetry });
    consumer = await KubemqClient.connect({ address, clientId: uniqueClientId('es-otel-x-c'), telemetry });
    traced = await KubemqClient.connect({ address, clientId: uniqueClientId('es-otel-x-size'), maxMessageBytes: LIMIT, telemetry });
    plain = await KubemqClient.connect({ address, clientId: uniqueClientId('es-otel-x-size-plain'), maxMessageBytes: LIMIT });
  });
  afterAll(async () => {
    for (const client of [producer, consumer, traced, plain]) await client?.close();
    await capture?.shutdown();
  });

  it('a `for await` loop over subscribe() gets no process spans, alone or in a group: it handles each event after it was buffered', async () => {
    const channel = uniqueChannel('es.otel.loop');
    const { id } = await eventsStore(producer).send({ channel, body: 'one' });
    for (const group of [undefined, 'workers']) {
      for await (const event of eventsStore(consumer).subscribe({ channel, startAt: StartPosition.fromFirst(), ...(group && { group }) })) {
        expect(event.id).toBe(id);
        break;
      }
    }
    expect(capture.spans().filter((s) => s.name === `process ${channel}`)).toEqual([]);
    const points = await capture.metrics();
    expect(points.filter((p) => p.name === 'messaging.process.duration' && p.attributes['messaging.destination.name'] === channel)).toEqual([]);
  });

  it('with tracing, an event that fits only without the trace context is refused before it is sent, by send() and by a stream handle', async () => {
    const channel = uniqueChannel('es.otel.size');
    const body = new Uint8Array(await largestValidBody(LIMIT, (b, signal) => eventsStore(plain).send({ channel, body: b }, { signal })));
    const stream = eventStoreStream(traced);
    try {
      await expect(eventsStore(traced).send({ channel, body })).rejects.toMatchObject({ code: 'VALIDATION', field: 'event', channel, operation: 'eventsStore.send' });
      await expect(stream.send({ channel, body })).rejects.toMatchObject({ code: 'VALIDATION', field: 'event', channel, operation: 'eventsStore.stream' });
      await expect(stream.send({ channel, body: 'after' })).resolves.toMatchObject({ sent: true });
      // Untraced, it fits.
      await expect(eventsStore(plain).send({ channel, body })).resolves.toMatchObject({ sent: true });
    } finally {
      await stream.close();
    }
  });
});
