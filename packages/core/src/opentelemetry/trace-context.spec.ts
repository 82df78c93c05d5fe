import { createTraceState, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { W3CTraceContext } from './trace-context.js';

const traceId = '0af7651916cd43dd8448eb211c80319c';
const spanId = 'b7ad6b7169203331';
const ours = new W3CTraceContext();
const reference = new W3CTraceContextPropagator();

describe('W3CTraceContext', () => {
  it('writes traceparent and tracestate as the reference propagator does', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, traceState: createTraceState('a=1,b=2') });
    const mine: Record<string, string> = {};
    const theirs: Record<string, string> = {};
    ours.inject(ctx, mine, defaultTextMapSetter);
    reference.inject(ctx, theirs, defaultTextMapSetter);
    expect(mine).toEqual({ traceparent: `00-${traceId}-${spanId}-01`, tracestate: 'a=1,b=2' });
    expect(mine).toEqual(theirs);
  });

  it('writes nothing for an invalid or absent span context', () => {
    const carrier: Record<string, string> = {};
    ours.inject(ROOT_CONTEXT, carrier, defaultTextMapSetter);
    ours.inject(trace.setSpanContext(ROOT_CONTEXT, { traceId: '0'.repeat(32), spanId, traceFlags: 1 }), carrier, defaultTextMapSetter);
    expect(carrier).toEqual({});
  });

  it('reads what it wrote: a remote span context with flags and state', () => {
    const carrier = { traceparent: `00-${traceId}-${spanId}-01`, tracestate: 'vendor=x' };
    const span = trace.getSpanContext(ours.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter));
    expect(span).toMatchObject({ traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(span?.traceState?.get('vendor')).toBe('x');
  });

  it.each([
    ['no header', {}],
    ['garbage', { traceparent: 'hello' }],
    ['version ff', { traceparent: `ff-${traceId}-${spanId}-01` }],
    ['extra fields on version 00', { traceparent: `00-${traceId}-${spanId}-01-extra` }],
    ['all-zero trace id', { traceparent: `00-${'0'.repeat(32)}-${spanId}-01` }],
    ['all-zero span id', { traceparent: `00-${traceId}-${'0'.repeat(16)}-01` }],
    ['upper-case hex', { traceparent: `00-${traceId.toUpperCase()}-${spanId}-01` }],
  ])('ignores %s, as the reference does', (_name, carrier: Record<string, string>) => {
    expect(trace.getSpanContext(ours.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter))).toBeUndefined();
    expect(trace.getSpanContext(reference.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter))).toBeUndefined();
  });

  it('accepts a later version with more fields, as the reference does', () => {
    const carrier = { traceparent: `01-${traceId}-${spanId}-00-more` };
    expect(trace.getSpanContext(ours.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter))).toMatchObject({ traceId, traceFlags: 0 });
    expect(trace.getSpanContext(reference.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter))).toMatchObject({ traceId, traceFlags: 0 });
    expect(ours.fields()).toEqual(reference.fields());
  });
});
