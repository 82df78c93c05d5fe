import { KubemqClient } from '@kubemq/core';
import { openTelemetry } from '@kubemq/core/opentelemetry';
import { eventually, probeUntil, sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { captureTelemetry, type TelemetryCapture } from '@kubemq/testing/opentelemetry';
import { largestValidBody } from '@kubemq/test-fakes';
import { commandResponder, commands, isRpcReadinessProbe, queries, type QueryResponse } from '../../src/index.js';

// Tracing writes the trace context (about 70 bytes, more with a tracestate) into each request's
// tags; the size check counts it. A `for await` loop is not traced: it handles each request after
// it was buffered, so a process span there would time nothing. Readiness probes are not traced.

const LIMIT = 16 * 1024;

describe('commands and queries: what tracing adds to a request is checked; probes and for-await loops are untraced (integration)', () => {
  let capture: TelemetryCapture;
  let requester: KubemqClient;
  let responderClient: KubemqClient;
  /** Traced, with a low maxMessageBytes; and the same without tracing. */
  let traced: KubemqClient;
  let plain: KubemqClient;

  beforeAll(async () => {
    capture = captureTelemetry();
    const telemetry = openTelemetry(capture);
    const { address } = sharedBroker();
    requester = await KubemqClient.connect({ address, clientId: uniqueClientId('rpc-otel-x-req'), telemetry });
    responderClient = await KubemqClient.connect({ address, clientId: uniqueClientId('rpc-otel-x-resp'), telemetry });
    traced = await KubemqClient.connect({ address, clientId: uniqueClientId('rpc-otel-x-size'), maxMessageBytes: LIMIT, telemetry });
    plain = await KubemqClient.connect({ address, clientId: uniqueClientId('rpc-otel-x-size-plain'), maxMessageBytes: LIMIT });
  });
  afterAll(async () => {
    for (const client of [requester, responderClient, traced, plain]) await client?.close();
    await capture?.shutdown();
  });

  it("a raw subscription traces no responder's readiness probe, though it delivers them", async () => {
    const channel = uniqueChannel('rpc.otel.probes');
    const delivered: { id: string; probe: boolean }[] = [];
    const sub = commands(responderClient)
      .subscribe({ channel })
      .subscribe((c) => delivered.push({ id: c.id, probe: isRpcReadinessProbe(c) }));
    try {
      // Live once a command reaches it (nobody answers: each times out).
      await probeUntil(() => commands(requester).send({ channel, body: 'live', timeoutMs: 200 }).catch(() => undefined), () => delivered.length > 0);
      await using responder = commandResponder(responderClient, { channel }, () => undefined);
      await responder.ready();
      await eventually(() => expect(delivered.some((d) => d.probe)).toBe(true));
      // Only the commands were processed, and counted.
      const commandIds = delivered.filter((d) => !d.probe).map((d) => d.id);
      const processed = () => capture.spans().filter((s) => s.name === `process ${channel}`).map((s) => s.attributes['messaging.message.id']);
      await eventually(() => expect(processed().sort()).toEqual(commandIds.sort()));
      const points = await capture.metrics();
      const consumed = points.filter((p) => p.name === 'messaging.client.consumed.messages' && p.attributes['messaging.destination.name'] === channel);
      expect(consumed.reduce((n, p) => n + p.value, 0)).toBe(commandIds.length);
    } finally {
      sub.unsubscribe();
    }
  });

  it('a `for await` loop over a raw subscription gets no process spans: it handles each request after it was buffered', async () => {
    const channel = uniqueChannel('rpc.otel.loop');
    const loop = (async () => {
      for await (const q of queries(responderClient).subscribe({ channel })) {
        await queries(responderClient).reply({ requestId: q.id, replyChannel: q.replyChannel, body: 'x' });
        return q.id;
      }
      return undefined;
    })();
    let answer: QueryResponse | undefined;
    for (let i = 0; i < 50 && !answer?.executed; i++) answer = await queries(requester).send({ channel, body: 'q', timeoutMs: 300 }).catch(() => undefined);
    const id = answer?.id;
    expect(answer?.executed).toBe(true);
    expect(await loop).toBe(id);
    await capture.waitForSpans((all) => all.some((s) => s.name === `send ${channel}` && s.attributes['messaging.message.id'] === id));
    expect(capture.spans().filter((s) => s.name === `process ${channel}`)).toEqual([]);
  });

  it('with tracing, a command or query that fits only without the trace context is refused before it is sent', async () => {
    const channel = uniqueChannel('rpc.otel.size');
    for (const [send, noun, operation] of [
      [commands, 'command', 'commands.send'],
      [queries, 'query', 'queries.send'],
    ] as const) {
      const size = await largestValidBody(LIMIT, (body, signal) => send(plain).send({ channel, body, timeoutMs: 1000 }, { signal }));
      await expect(send(traced).send({ channel, body: new Uint8Array(size), timeoutMs: 1000 })).rejects.toMatchObject({ code: 'VALIDATION', field: noun, channel, operation });
    }
  });
});
