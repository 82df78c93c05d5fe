import { context, metrics, propagation, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { captureTelemetry, type TelemetryCapture } from '@kubemq/testing/opentelemetry';
import { KubemqError } from '../internal/errors/kubemq-error.js';
import type { Instrumentation, MessagingOperation } from '../telemetry/telemetry.js';
import { instrumentsOf } from './instruments.js';
import { messageContext } from './message-context.js';
import { openTelemetry } from './open-telemetry.js';

/** The value, or a failed test when it is missing. */
function present<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

const client = { address: '127.0.0.1:50000', clientId: 'client-1' };
let capture: TelemetryCapture;
let instrumentation: Instrumentation;

beforeEach(() => {
  capture = captureTelemetry();
  instrumentation = openTelemetry(capture).instrument(client);
});
afterEach(() => capture.shutdown());

const send = (tags: Record<string, string>[], over: Partial<MessagingOperation> = {}): MessagingOperation => ({
  pattern: 'events',
  type: 'send',
  name: 'send',
  channel: 'orders',
  messageId: 'm-1',
  bodySize: 12,
  tags,
  ...over,
});

describe('openTelemetry(): spans', () => {
  it('a send is a producer span with the messaging attributes, and its context goes into the tags', () => {
    const tags: Record<string, string> = { region: 'eu' };
    instrumentation.start(send([tags])).end();
    const [span] = capture.spans();
    expect(span).toMatchObject({ name: 'send orders', kind: SpanKind.PRODUCER });
    expect(present(span).attributes).toEqual({
      'messaging.system': 'kubemq',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': 'orders',
      'kubemq.channel.type': 'events',
      'messaging.client.id': 'client-1',
      'messaging.message.id': 'm-1',
      'messaging.message.body.size': 12,
      'server.address': '127.0.0.1',
      'server.port': 50000,
    });
    expect(present(span).instrumentationScope.name).toBe('@kubemq/core');
    const { traceId, spanId } = present(span).spanContext();
    expect(tags).toEqual({ region: 'eu', traceparent: `00-${traceId}-${spanId}-01` });
  });

  it('writes the context into every message of a batch, but not over a traceparent the caller set', () => {
    const mine = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    const fresh: Record<string, string> = {};
    instrumentation.start(send([mine, fresh], { pattern: 'queues', messageCount: 2, messageId: undefined, bodySize: undefined })).end();
    expect(mine.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(fresh.traceparent).toContain(present(capture.spans()[0]).spanContext().spanId);
    expect(present(capture.spans()[0]).attributes['messaging.batch.message_count']).toBe(2);
  });

  it('a delivered message is processed in a child of its producer span, active while the callback runs', () => {
    const tags: Record<string, string> = {};
    instrumentation.start(send([tags])).end();
    const process = instrumentation.start({ pattern: 'events', type: 'process', name: 'process', channel: 'orders', tags: [tags] });
    let activeInside: string | undefined;
    process.run(() => {
      activeInside = trace.getActiveSpan()?.spanContext().spanId;
      capture.tracerProvider.getTracer('user').startSpan('user work').end();
    });
    process.end();
    const [producer, user, consumer] = capture.spans();
    expect(consumer).toMatchObject({ name: 'process orders', kind: SpanKind.CONSUMER });
    expect(present(consumer).spanContext().traceId).toBe(present(producer).spanContext().traceId);
    expect(present(consumer).parentSpanContext?.spanId).toBe(present(producer).spanContext().spanId);
    expect(activeInside).toBe(present(consumer).spanContext().spanId);
    expect(present(user).parentSpanContext?.spanId).toBe(present(consumer).spanContext().spanId);
    // The conventions: a process span links to the message's creation context, parent or not.
    expect(present(consumer).links.map((l) => l.context.spanId)).toEqual([present(producer).spanContext().spanId]);
  });

  it("a process span never continues the active trace: the producer's context is its parent, or it is a root", () => {
    const tags: Record<string, string> = {};
    instrumentation.start(send([tags])).end();
    // A listener created inside an application span runs its deliveries in that span's context.
    const outer = capture.tracerProvider.getTracer('t').startSpan('outer');
    context.with(trace.setSpan(context.active(), outer), () => {
      instrumentation.start({ pattern: 'events', type: 'process', name: 'process', channel: 'orders', tags: [tags] }).end();
      instrumentation.start({ pattern: 'commands', type: 'process', name: 'process', channel: 'c', tags: [{}] }).end();
    });
    outer.end();
    const [producer, process, serve] = capture.spans();
    expect(present(process).parentSpanContext?.spanId).toBe(present(producer).spanContext().spanId);
    expect(serve).toMatchObject({ name: 'process c', kind: SpanKind.SERVER, links: [] });
    expect(present(serve).parentSpanContext).toBeUndefined();
    expect(present(serve).spanContext().traceId).not.toBe(outer.spanContext().traceId);
  });

  it('a detached operation starts a trace of its own; one the application calls continues the active trace', () => {
    const outer = capture.tracerProvider.getTracer('t').startSpan('outer');
    context.with(trace.setSpan(context.active(), outer), () => {
      instrumentation.start({ pattern: 'queues', type: 'receive', name: 'poll', channel: 'loop', messageCount: 0, detached: true }).end();
      instrumentation.start({ pattern: 'queues', type: 'settle', name: 'ack', channel: 'loop', messageCount: 2, detached: true }).end();
      instrumentation.start({ pattern: 'queues', type: 'receive', name: 'poll', channel: 'call', messageCount: 0 }).end();
    });
    outer.end();
    const [loopPoll, loopAck, callPoll] = capture.spans();
    for (const span of [loopPoll, loopAck]) {
      expect(present(span).parentSpanContext).toBeUndefined();
      expect(present(span).spanContext().traceId).not.toBe(outer.spanContext().traceId);
    }
    expect(present(callPoll).parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
  });

  it('with a parent-based sampler, an unsampled creating span does not silence detached and process spans', () => {
    const unsampled = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE });
    context.with(trace.setSpan(context.active(), unsampled), () => {
      instrumentation.start({ pattern: 'queues', type: 'receive', name: 'poll', channel: 'loop', messageCount: 0, detached: true }).end();
      instrumentation.start({ pattern: 'queues', type: 'process', name: 'process', channel: 'loop', tags: [{}] }).end();
      instrumentation.start({ pattern: 'queues', type: 'receive', name: 'poll', channel: 'call', messageCount: 0 }).end();
    });
    expect(capture.spans().map((s) => s.name)).toEqual(['poll loop', 'process loop']);
  });

  it('a propagator that throws loses the context, never the message nor the span', () => {
    const broken = {
      inject: () => {
        throw new Error('inject bug');
      },
      extract: () => {
        throw new Error('extract bug');
      },
      fields: () => ['traceparent'],
    };
    const instrumented = openTelemetry({ ...capture, propagator: broken }).instrument(client);
    const tags: Record<string, string> = {};
    expect(() => instrumented.start(send([tags])).end()).not.toThrow();
    expect(tags).toEqual({});
    for (const type of ['process', 'receive', 'settle'] as const) {
      expect(() => instrumented.start({ pattern: 'queues', type, name: type, channel: 'q', messageCount: 2, tags: [{ traceparent: 'x' }, {}] }).end()).not.toThrow();
    }
    expect(capture.spans().map((s) => [s.name, s.links.length])).toEqual([
      ['send orders', 0],
      ['process q', 0],
      ['receive q', 0],
      ['settle q', 0],
    ]);
  });

  it('receive and settle spans link to the producers of their messages', () => {
    const a: Record<string, string> = {};
    const b: Record<string, string> = {};
    instrumentation.start(send([a])).end();
    instrumentation.start(send([b])).end();
    instrumentation.start({ pattern: 'queues', type: 'receive', name: 'poll', channel: 'tasks', messageCount: 3, tags: [a, b, {}] }).end();
    instrumentation.start({ pattern: 'queues', type: 'settle', name: 'ack', channel: 'tasks', messageCount: 1, tags: [a] }).end();
    const [pa, pb, poll, ack] = capture.spans();
    expect(poll).toMatchObject({ name: 'poll tasks', kind: SpanKind.CLIENT });
    expect(present(poll).links.map((l) => l.context.spanId)).toEqual([present(pa).spanContext().spanId, present(pb).spanContext().spanId]);
    expect(ack).toMatchObject({ name: 'ack tasks', kind: SpanKind.CLIENT });
    expect(present(ack).links.map((l) => l.context.spanId)).toEqual([present(pa).spanContext().spanId]);
    expect(present(poll).parentSpanContext).toBeUndefined();
  });

  it('a batch to several channels has no destination; an operation described afterwards keeps its start time', () => {
    instrumentation.start(send([{}, {}], { pattern: 'queues', channel: '', messageCount: 2 })).end();
    const startedAt = new Date(Date.now() - 1500);
    instrumentation.start({ pattern: 'queues', type: 'receive', name: 'poll', channel: 'tasks', messageCount: 0, startedAt }).end();
    const [batch, poll] = capture.spans();
    expect(present(batch).name).toBe('send');
    expect(present(batch).attributes).not.toHaveProperty(['messaging.destination.name']);
    const [seconds, nanos] = present(poll).startTime;
    expect(Math.abs(seconds * 1000 + nanos / 1e6 - startedAt.getTime())).toBeLessThan(1);
    expect(present(poll).duration[0]).toBeGreaterThanOrEqual(1);
  });

  it('a failure marks the span: error status, error.type, the exception; end is once only', () => {
    const span = instrumentation.start(send([{}]));
    span.end(new KubemqError({ code: 'TIMEOUT', operation: 'events.send', message: 'no answer in 5000 ms' }));
    span.end();
    const spans = capture.spans();
    expect(spans).toHaveLength(1);
    expect(present(spans[0]).status).toEqual({ code: SpanStatusCode.ERROR, message: 'no answer in 5000 ms' });
    expect(present(spans[0]).attributes['error.type']).toBe('TIMEOUT');
    expect(present(spans[0]).events.map((e) => e.name)).toEqual(['exception']);
  });

  it('uses the global providers by default, and the given propagator when there is one', () => {
    trace.setGlobalTracerProvider(capture.tracerProvider);
    metrics.setGlobalMeterProvider(capture.meterProvider);
    const seen: string[] = [];
    const custom = {
      inject: (_c: unknown, carrier: Record<string, string>) => {
        seen.push('inject');
        carrier['x-trace'] = 'custom';
      },
      extract: (c: ReturnType<typeof context.active>) => c,
      fields: () => ['x-trace'],
    };
    const tags: Record<string, string> = {};
    openTelemetry({ propagator: custom }).instrument(client).start(send([tags])).end();
    expect(capture.spans()).toHaveLength(1);
    expect(tags).toEqual({ 'x-trace': 'custom' });
    expect(seen).toEqual(['inject']);
    // propagation (the API's global) fits the option too.
    expect(() => openTelemetry({ propagator: propagation })).not.toThrow();
  });

  it('refuses options that are not providers or propagators, naming them', () => {
    expect(() => openTelemetry({ tracerProvider: {} as never })).toThrow(expect.objectContaining({ name: 'ValidationError', field: 'tracerProvider' }));
    expect(() => openTelemetry({ meterProvider: 1 as never })).toThrow(expect.objectContaining({ field: 'meterProvider' }));
    expect(() => openTelemetry({ propagator: { fields: () => [] } as never })).toThrow(expect.objectContaining({ field: 'propagator' }));
    expect(() => openTelemetry(null as never)).toThrow(expect.objectContaining({ field: 'options' }));
  });
});

describe('openTelemetry(): metrics', () => {
  const points = async (name: string) => (await capture.metrics()).filter((p) => p.name === name);

  it('counts sent messages (batches by their size) and records durations with the error type', async () => {
    instrumentation.start(send([{}])).end();
    instrumentation.start(send([{}, {}], { pattern: 'queues', channel: 'tasks', messageCount: 2 })).end();
    instrumentation.start(send([{}])).end(new KubemqError({ code: 'UNAVAILABLE', operation: 'events.send', message: 'down' }));
    const sent = await points('messaging.client.sent.messages');
    expect(sent.map((p) => [p.attributes['messaging.destination.name'], p.attributes['error.type'], p.value])).toEqual(
      expect.arrayContaining([
        ['orders', undefined, 1],
        ['tasks', undefined, 2],
        ['orders', 'UNAVAILABLE', 1],
      ]),
    );
    expect(present(sent[0]).attributes).not.toHaveProperty(['messaging.message.id']);
    const durations = await points('messaging.client.operation.duration');
    expect(durations.reduce((n, p) => n + p.value, 0)).toBe(3);
  });

  it('counts consumed messages once: pulled queue messages when received, pushed ones when processed', async () => {
    instrumentation.start({ pattern: 'queues', type: 'receive', name: 'poll', channel: 'tasks', messageCount: 5 }).end();
    instrumentation.start({ pattern: 'queues', type: 'process', name: 'process', channel: 'tasks' }).end();
    instrumentation.start({ pattern: 'events', type: 'process', name: 'process', channel: 'orders', group: 'billing' }).end();
    instrumentation.start({ pattern: 'queues', type: 'receive', name: 'poll', channel: 'empty', messageCount: 0 }).end();
    const consumed = await points('messaging.client.consumed.messages');
    expect(consumed.map((p) => [p.attributes['messaging.destination.name'], p.value])).toEqual(
      expect.arrayContaining([
        ['tasks', 5],
        ['orders', 1],
      ]),
    );
    expect(consumed).toHaveLength(2);
    expect(present(consumed.find((p) => p.attributes['messaging.destination.name'] === 'orders')).attributes['messaging.consumer.group.name']).toBe('billing');
    expect((await points('messaging.process.duration')).reduce((n, p) => n + p.value, 0)).toBe(2);
  });

  it('counts reconnections and retries with their operation and reason', async () => {
    instrumentation.reconnected();
    instrumentation.reconnected();
    instrumentation.retried('events.subscribe', 'stream_reopen');
    instrumentation.retried('queues.send', 'token_refresh');
    expect(await points('kubemq.client.reconnections')).toEqual([
      { name: 'kubemq.client.reconnections', value: 2, attributes: { 'messaging.system': 'kubemq', 'server.address': '127.0.0.1', 'server.port': 50000 } },
    ]);
    const retries = await points('kubemq.client.retries');
    expect(retries.map((p) => [p.attributes['kubemq.operation'], p.attributes['kubemq.retry.reason'], p.value])).toEqual(
      expect.arrayContaining([
        ['events.subscribe', 'stream_reopen', 1],
        ['queues.send', 'token_refresh', 1],
      ]),
    );
  });

  it('an operation described afterwards lasts from its start, however far the wall clock is from the process clock', () => {
    const { operationDuration } = instrumentsOf(capture.meterProvider.getMeter('@kubemq/core'));
    const recorded: number[] = [];
    const record = jest.spyOn(operationDuration, 'record').mockImplementation((seconds) => void recorded.push(seconds));
    // The wall clock was stepped 6 s ahead of performance.timeOrigin + performance.now().
    const wall = jest.spyOn(Date, 'now').mockReturnValue(performance.timeOrigin + performance.now() + 6000);
    try {
      const startedAt = new Date(Date.now() - 1500);
      instrumentation.start({ pattern: 'queues', type: 'receive', name: 'poll', channel: 'tasks', messageCount: 0, startedAt }).end();
    } finally {
      wall.mockRestore();
      record.mockRestore();
    }
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toBeGreaterThanOrEqual(1.5);
    expect(recorded[0]).toBeLessThan(1.6);
  });

  it('clients on one meter share its instruments', () => {
    const meter = capture.meterProvider.getMeter('@kubemq/core');
    expect(instrumentsOf(meter)).toBe(instrumentsOf(meter));
  });
});

describe('messageContext', () => {
  it('is the producer context a received message carries', () => {
    const tags: Record<string, string> = {};
    instrumentation.start(send([tags])).end();
    const producer = present(capture.spans()[0]).spanContext();
    expect(trace.getSpanContext(messageContext({ tags }))).toMatchObject({ traceId: producer.traceId, spanId: producer.spanId, isRemote: true });
    expect(trace.getSpanContext(messageContext({ tags: {} }))).toBeUndefined();
  });
});
