import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { KubemqClient } from '@kubemq/core';
import { openTelemetry } from '@kubemq/core/opentelemetry';
import { sharedBroker, uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';
import { captureTelemetry, type TelemetryCapture } from '@kubemq/testing/opentelemetry';
import { commandResponder, commands, queries, queryResponder } from '../../src/index.js';

describe('commands and queries tracing through the broker', () => {
  let capture: TelemetryCapture;
  let requester: KubemqClient;
  let responderClient: KubemqClient;

  beforeAll(async () => {
    capture = captureTelemetry();
    const telemetry = openTelemetry(capture);
    const { address } = sharedBroker();
    requester = await KubemqClient.connect({ address, clientId: uniqueClientId('rpc-otel-req'), telemetry });
    responderClient = await KubemqClient.connect({ address, clientId: uniqueClientId('rpc-otel-resp'), telemetry });
  });
  afterAll(async () => {
    await requester?.close();
    await responderClient?.close();
    await capture?.shutdown();
  });

  const tracer = () => capture.tracerProvider.getTracer('user');

  it("a command's serve span is a child of its send span, and the handler's work a child of the serve span", async () => {
    const channel = uniqueChannel('rpc.otel.cmd');
    await using responder = commandResponder(responderClient, { channel, group: 'workers' }, async () => {
      await tracer().startActiveSpan('reboot device', async (span) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        span.end();
      });
    });
    await responder.ready();
    capture.reset();
    const res = await commands(requester).send({ channel, body: 'dev-1', timeoutMs: 5000 });
    expect(res.executed).toBe(true);
    const spans = await capture.waitForSpans((all) => all.some((s) => s.name === `process ${channel}`));
    const send = spans.find((s) => s.name === `send ${channel}`);
    const serve = spans.find((s) => s.name === `process ${channel}`);
    const work = spans.find((s) => s.name === 'reboot device');
    expect(send).toMatchObject({ kind: SpanKind.CLIENT });
    expect(send?.attributes).toMatchObject({ 'kubemq.channel.type': 'commands', 'messaging.message.id': res.id });
    expect(serve).toMatchObject({ kind: SpanKind.SERVER });
    expect(serve?.attributes).toMatchObject({ 'messaging.consumer.group.name': 'workers', 'messaging.message.id': res.id });
    expect(serve?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
    expect(serve?.spanContext().traceId).toBe(send?.spanContext().traceId);
    expect(work?.parentSpanContext?.spanId).toBe(serve?.spanContext().spanId);
  });

  it("a query's serve span is the send span's child; a handler failure fails the serve span", async () => {
    const channel = uniqueChannel('rpc.otel.q');
    await using responder = queryResponder(responderClient, { channel }, (q) => {
      if (q.text() === 'boom') throw new Error('no such sku');
      return { body: 'ok' };
    });
    await responder.ready();
    capture.reset();
    const good = await queries(requester).send({ channel, body: 'sku', timeoutMs: 5000 });
    const bad = await queries(requester).send({ channel, body: 'boom', timeoutMs: 5000 });
    expect([good.executed, bad.executed]).toEqual([true, false]);
    const spans = await capture.waitForSpans((all) => all.filter((s) => s.name === `process ${channel}`).length === 2);
    for (const [res, failed] of [[good, false], [bad, true]] as const) {
      const send = spans.find((s) => s.name === `send ${channel}` && s.attributes['messaging.message.id'] === res.id);
      const serve = spans.find((s) => s.name === `process ${channel}` && s.attributes['messaging.message.id'] === res.id);
      expect(serve?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
      expect(serve?.status.code).toBe(failed ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);
    }
  });

  it("a responder created inside an application span serves untraced requests in traces of their own, not in that span's", async () => {
    const channel = uniqueChannel('rpc.otel.detached');
    // A sender without tracing: its requests carry no trace context.
    await using plain = await KubemqClient.connect({ address: sharedBroker().address, clientId: uniqueClientId('rpc-otel-plain') });
    let startupTrace = '';
    const responder = tracer().startActiveSpan('app-startup', (span) => {
      startupTrace = span.spanContext().traceId;
      const created = commandResponder(responderClient, { channel }, () => undefined);
      span.end();
      return created;
    });
    try {
      await responder.ready();
      const res = await commands(plain).send({ channel, body: 'x', timeoutMs: 5000 });
      expect(res.executed).toBe(true);
      const spans = await capture.waitForSpans((all) => all.some((s) => s.name === `process ${channel}` && s.attributes['messaging.message.id'] === res.id));
      const serve = spans.find((s) => s.name === `process ${channel}` && s.attributes['messaging.message.id'] === res.id);
      expect(serve?.parentSpanContext).toBeUndefined();
      expect(serve?.spanContext().traceId).not.toBe(startupTrace);
      expect(spans.filter((s) => s.spanContext().traceId === startupTrace).map((s) => s.name)).toEqual(['app-startup']);
    } finally {
      await responder.stop();
    }
  });

  it('a Telemetry that throws never keeps a responder from replying', async () => {
    const channel = uniqueChannel('rpc.otel.throwing');
    const bug = (): never => {
      throw new Error('exporter bug');
    };
    await using client = await KubemqClient.connect({
      address: sharedBroker().address,
      clientId: uniqueClientId('rpc-otel-bug'),
      telemetry: { instrument: () => ({ start: bug, reconnected: bug, retried: bug }) },
    });
    const errors: unknown[] = [];
    await using responder = queryResponder(client, { channel, onError: (err) => void errors.push(err) }, (q) => ({ body: `re: ${q.text()}` }));
    await responder.ready();
    const answer = await queries(client).send({ channel, body: 'q', timeoutMs: 5000 });
    expect([answer.executed, Buffer.from(answer.body).toString()]).toEqual([true, 're: q']);
    expect(errors).toEqual([]);
  });

  it('a raw subscription delivers each request inside a process span that continues the sender trace', async () => {
    const channel = uniqueChannel('rpc.otel.raw');
    const sub = queries(responderClient)
      .subscribe({ channel })
      .subscribe((q) => {
        tracer().startActiveSpan('answer', (span) => span.end());
        void queries(responderClient).reply({ requestId: q.id, replyChannel: q.replyChannel, body: 'x' }).catch(() => undefined);
      });
    try {
      let answer;
      for (let i = 0; i < 50 && !answer?.executed; i++) answer = await queries(requester).send({ channel, body: 'q', timeoutMs: 300 }).catch(() => undefined);
      expect(answer?.executed).toBe(true);
      const id = answer?.id;
      const spans = await capture.waitForSpans((all) => all.some((s) => s.name === `process ${channel}` && s.attributes['messaging.message.id'] === id));
      const send = spans.find((s) => s.name === `send ${channel}` && s.attributes['messaging.message.id'] === id);
      const process = spans.find((s) => s.name === `process ${channel}` && s.attributes['messaging.message.id'] === id);
      expect(process?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
      const answerSpan = spans.find((s) => s.name === 'answer' && s.parentSpanContext?.spanId === process?.spanContext().spanId);
      expect(answerSpan).toBeDefined();
    } finally {
      sub.unsubscribe();
    }
  });
});
