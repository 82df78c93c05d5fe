import { KubemqClient } from '@kubemq/core';
import { openTelemetry } from '@kubemq/core/opentelemetry';
import { probeUntil, sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { captureTelemetry, type TelemetryCapture } from '@kubemq/testing/opentelemetry';
import { events, type EventReceive } from '../../src/index.js';

// A `for await` loop is not traced: it handles each event after it was buffered, so a process span
// there would time nothing.

const PROBE = 'probe';

describe('events: for-await loops are untraced (integration)', () => {
  let capture: TelemetryCapture;
  let producer: KubemqClient;
  let consumer: KubemqClient;

  beforeAll(async () => {
    capture = captureTelemetry();
    const telemetry = openTelemetry(capture);
    const { address } = sharedBroker();
    producer = await KubemqClient.connect({ address, clientId: uniqueClientId('ev-otel-x-p'), telemetry });
    consumer = await KubemqClient.connect({ address, clientId: uniqueClientId('ev-otel-x-c'), telemetry });
  });
  afterAll(async () => {
    for (const client of [producer, consumer]) await client?.close();
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
});
