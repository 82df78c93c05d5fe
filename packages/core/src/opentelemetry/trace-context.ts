import {
  createTraceState,
  isSpanContextValid,
  trace,
  TraceFlags,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
// version-traceid-parentid-flags (W3C Trace Context §3.2); later versions may append fields.
const TRACEPARENT_FORMAT = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})(-.*)?$/;

/**
 * W3C Trace Context (`traceparent`, `tracestate`) over message tags. Built in, because the
 * OpenTelemetry API's global propagator is a no-op until an SDK registers one, and KubeMQ
 * messages should carry their context whatever the application configured.
 */
export class W3CTraceContext implements TextMapPropagator {
  /** Writes the span context of `context` into `carrier` (nothing for an invalid or absent one). */
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const span = trace.getSpanContext(context);
    if (span === undefined || !isSpanContextValid(span)) return;
    const flags = (span.traceFlags & 0xff).toString(16).padStart(2, '0');
    setter.set(carrier, TRACEPARENT, `00-${span.traceId}-${span.spanId}-${flags}`);
    const state = span.traceState?.serialize();
    if (state) setter.set(carrier, TRACESTATE, state);
  }

  /** `context` with the remote span context read from `carrier`, or `context` itself when there is none valid. */
  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const header = first(getter.get(carrier, TRACEPARENT));
    const match = header === undefined ? null : TRACEPARENT_FORMAT.exec(header.trim());
    if (!match) return context;
    const [, version, traceId, spanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
    // Version ff is invalid; version 00 has exactly four fields.
    if (version === 'ff' || (version === '00' && rest !== undefined)) return context;
    const spanContext = { traceId, spanId, traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
    if (!isSpanContextValid(spanContext)) return context;
    const state = first(getter.get(carrier, TRACESTATE));
    return trace.setSpanContext(context, state ? { ...spanContext, traceState: createTraceState(state) } : spanContext);
  }

  /** The tag names it reads and writes. */
  fields(): string[] {
    return [TRACEPARENT, TRACESTATE];
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
