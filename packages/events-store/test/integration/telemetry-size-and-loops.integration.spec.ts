import { KubemqClient } from '@kubemq/core';
import { openTelemetry } from '@kubemq/core/opentelemetry';
import { sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { captureTelemetry, type TelemetryCapture } from '@kubemq/testing/opentelemetry';
import { eventsStore, StartPosition } from '../../src/index.js';

// A `for await` loop is not traced: it handles each event after it was buffered, so a process span
// there would time nothing.

describe('events store: for-await loops are untraced (integration)', () => {
  let capture: TelemetryCapture;
  let producer: KubemqClient;
  let consumer: KubemqClient;

  beforeAll(async () => {
    capture = captureTelemetry();
    const telemetry = openTelemetry(capture);
    const { address } = sharedBroker();
    producer = await KubemqClient.connect({ address, clientId: uniqueClientId('es-otel-x-p'), telemetry });
    consumer = await KubemqClient.connect({ address, clientId: uniqueClientId('es-otel-x-c'), telemetry });
  });
  afterAll(async () => {
    for (const client of [producer, consumer]) await client?.close();
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
});
