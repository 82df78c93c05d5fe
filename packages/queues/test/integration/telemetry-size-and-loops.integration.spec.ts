import { SpanStatusCode } from '@opentelemetry/api';
import { KubemqClient } from '@kubemq/core';
import { openTelemetry } from '@kubemq/core/opentelemetry';
import { sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { captureTelemetry, type TelemetryCapture } from '@kubemq/testing/opentelemetry';
import { largestValidBody } from '@kubemq/test-fakes';
import { queues, queueUpstream } from '../../src/index.js';

// Tracing writes the trace context (about 70 bytes, more with a tracestate) into each message's
// tags; the size checks count it. And a `for await` loop is not traced: it handles each message
// after it was buffered, so a process span there would time nothing.

const LIMIT = 16 * 1024;

describe('queues: what tracing adds to a message is checked; for-await loops are untraced (integration)', () => {
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
    producer = await KubemqClient.connect({ address, clientId: uniqueClientId('q-otel-x-p'), telemetry });
    consumer = await KubemqClient.connect({ address, clientId: uniqueClientId('q-otel-x-c'), telemetry });
    traced = await KubemqClient.connect({ address, clientId: uniqueClientId('q-otel-x-size'), maxMessageBytes: LIMIT, telemetry });
    plain = await KubemqClient.connect({ address, clientId: uniqueClientId('q-otel-x-size-plain'), maxMessageBytes: LIMIT });
  });
  afterAll(async () => {
    for (const client of [producer, consumer, traced, plain]) await client?.close();
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

  it('with tracing, a queueUpstream() batch that fits only without the trace context is refused before it is sent; the upstream goes on', async () => {
    const channel = uniqueChannel('q.otel.size.up');
    const batchOf = (body: Uint8Array) => Array.from({ length: 20 }, () => ({ channel, body }));
    await using plainUp = queueUpstream(plain);
    const size = await largestValidBody(LIMIT, (body, signal) => plainUp.send(batchOf(body), { signal }));
    const body = new Uint8Array(size);
    // grpc-js would cancel the upstream over it, and a cancelled upstream can crash the broker.
    await using up = queueUpstream(traced);
    await expect(up.send(batchOf(body))).rejects.toMatchObject({ code: 'VALIDATION', field: 'messages', operation: 'queues.upstream.send' });
    expect((await up.send([{ channel, body: 'after' }])).failed).toBe(0);
    // Without the trace context it fits.
    expect((await plainUp.send(batchOf(body))).failed).toBe(0);
    expect(await queues(plain).purge({ channel })).toBe(21);
  });

  it('with tracing, a send() or sendBatch() that fits only without the trace context is refused before it is sent, as one over the limit untraced is', async () => {
    const channel = uniqueChannel('q.otel.size');
    const q = queues(traced);
    const one = await largestValidBody(LIMIT, (body, signal) => queues(plain).send({ channel, body }, { signal }));
    await expect(q.send({ channel, body: new Uint8Array(one) })).rejects.toMatchObject({ code: 'VALIDATION', field: 'message', operation: 'queues.send', channel });
    const each = await largestValidBody(LIMIT, (body, signal) => queues(plain).sendBatch([{ channel, body }, { channel, body }], { signal }));
    await expect(q.sendBatch([{ channel, body: new Uint8Array(each) }, { channel, body: new Uint8Array(each) }])).rejects.toMatchObject({
      code: 'VALIDATION',
      field: 'messages',
      operation: 'queues.sendBatch',
    });
    // The refusal is the send span's error.
    const span = capture.spans().find((s) => s.name === `send ${channel}` && s.attributes['error.type'] === 'VALIDATION');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect((await q.send({ channel, body: 'small' })).id).toBeDefined();
    expect(await queues(plain).purge({ channel })).toBe(1);
  });
});
