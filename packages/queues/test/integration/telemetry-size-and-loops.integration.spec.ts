import { KubemqClient } from '@kubemq/core';
import { openTelemetry } from '@kubemq/core/opentelemetry';
import { sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { captureTelemetry, type TelemetryCapture } from '@kubemq/testing/opentelemetry';
import { queues } from '../../src/index.js';

// A `for await` loop is not traced: it handles each message after it was buffered, so a process
// span there would time nothing.

describe('queues: for-await loops are untraced (integration)', () => {
  let capture: TelemetryCapture;
  let producer: KubemqClient;
  let consumer: KubemqClient;

  beforeAll(async () => {
    capture = captureTelemetry();
    const telemetry = openTelemetry(capture);
    const { address } = sharedBroker();
    producer = await KubemqClient.connect({ address, clientId: uniqueClientId('q-otel-x-p'), telemetry });
    consumer = await KubemqClient.connect({ address, clientId: uniqueClientId('q-otel-x-c'), telemetry });
  });
  afterAll(async () => {
    for (const client of [producer, consumer]) await client?.close();
    await capture?.shutdown();
  });

  it('a `for await` loop over subscribe() gets no process spans: it handles each message after it was buffered', async () => {
    const channel = uniqueChannel('q.otel.loop');
    const sent = await queues(producer).sendBatch([{ channel, body: 'a' }, { channel, body: 'b' }]);
    const seen: string[] = [];
    for await (const m of queues(consumer).subscribe({ channel, maxItems: 2, waitTimeoutMs: 1000 })) {
      seen.push(m.id);
      await m.ack();
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(sent.results.map((r) => r.id));
    expect(capture.spans().filter((s) => s.name === `process ${channel}`)).toEqual([]);
    const points = await capture.metrics();
    expect(points.filter((p) => p.name === 'messaging.process.duration' && p.attributes['messaging.destination.name'] === channel)).toEqual([]);
  });
});
