import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isSpanContextValid,
  metrics,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type MeterProvider,
  type TextMapPropagator,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { errorText } from '../internal/errors/error-text.js';
import { ValidationError } from '../internal/errors/kubemq-error.js';
import type {
  Instrumentation,
  MessagingOperation,
  OperationSpan,
  RetryReason,
  Telemetry,
  TelemetryClientInfo,
} from '../telemetry/telemetry.js';
import { ATTR, errorType, MESSAGING_SYSTEM, metricAttributes, serverAttributes, spanAttributes, spanKind, spanName } from './attributes.js';
import { instrumentsOf, type Instruments } from './instruments.js';
import { W3CTraceContext } from './trace-context.js';

/** The instrumentation scope of every tracer and meter. */
export const INSTRUMENTATION_SCOPE = '@kubemq/core';

/** Options of {@link openTelemetry}. */
export interface OpenTelemetryOptions {
  /** Where spans go. Default: the global tracer provider (`trace.setGlobalTracerProvider`, or what an SDK registered). */
  tracerProvider?: TracerProvider | undefined;
  /** Where metrics go. Default: the global meter provider. */
  meterProvider?: MeterProvider | undefined;
  /**
   * How trace context is written to and read from message tags. Default: W3C Trace Context
   * (`traceparent`, `tracestate`), whatever global propagator is registered. Pass
   * `propagation` from `@opentelemetry/api` to use the global one instead.
   */
  propagator?: TextMapPropagator | undefined;
}

/**
 * OpenTelemetry for a client: a span for every publish, receive, process, settle and RPC
 * send/serve (messaging semantic conventions, `messaging.system` = `kubemq`), trace context
 * carried in the message tags so a consumer's span is a child of its producer's, and metrics
 * for operation durations, sent and consumed messages, reconnections and retries.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { openTelemetry } from '@kubemq/core/opentelemetry';
 *
 * // Spans and metrics go to whatever providers the OpenTelemetry SDK registered globally.
 * await using client = await KubemqClient.connect({ address: 'localhost:50000', telemetry: openTelemetry() });
 * ```
 */
export function openTelemetry(options: OpenTelemetryOptions = {}): Telemetry {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError({ operation: 'validate', field: 'options', message: 'invalid options: must be an object' });
  }
  for (const [field, method] of [['tracerProvider', 'getTracer'], ['meterProvider', 'getMeter'], ['propagator', 'inject']] as const) {
    const value = options[field] as Record<string, unknown> | undefined;
    if (value !== undefined && typeof value?.[method] !== 'function') {
      throw new ValidationError({ operation: 'validate', field, message: `invalid ${field}: must have a ${method}() method` });
    }
  }
  const propagator = options.propagator ?? new W3CTraceContext();
  return {
    instrument(client) {
      // The global providers are proxies: a provider registered after this call is still used.
      const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE);
      const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);
      return new OpenTelemetryInstrumentation(client, tracer, instrumentsOf(meter), propagator);
    },
  };
}

class OpenTelemetryInstrumentation implements Instrumentation {
  readonly #server: Attributes;

  constructor(
    private readonly client: TelemetryClientInfo,
    private readonly tracer: Tracer,
    private readonly instruments: Instruments,
    private readonly propagator: TextMapPropagator,
  ) {
    this.#server = serverAttributes(client.address);
  }

  start(op: MessagingOperation): OperationSpan {
    const tags = op.tags ?? [];
    let parent: Context;
    let links: Link[] | undefined;
    if (op.type === 'process') {
      // A delivered message continues its producer's trace (parent and link), never the trace of
      // the code that created the listener or consumer: that may have ended long ago, or been
      // sampled out. A message without a context starts a trace of its own.
      parent = tags[0] === undefined ? ROOT_CONTEXT : this.#extract(tags[0]);
      const creation = trace.getSpanContext(parent);
      if (creation !== undefined && isSpanContextValid(creation)) links = [{ context: creation }];
    } else {
      parent = op.detached ? ROOT_CONTEXT : context.active();
      if (op.type === 'receive' || op.type === 'settle') links = this.#links(tags);
    }
    const span = this.tracer.startSpan(
      spanName(op),
      {
        kind: spanKind(op),
        attributes: spanAttributes(op, this.client, this.#server),
        ...(links && { links }),
        ...(op.startedAt !== undefined && { startTime: op.startedAt }),
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    if (op.type === 'send') for (const carrier of tags) this.#inject(active, carrier);
    // The duration is counted on the monotonic clock from here, plus the wall-clock time since an
    // earlier start. Mixing `performance.timeOrigin` with a Date would add the drift between the
    // two clocks (seconds, after a suspend or an NTP step) to every operation.
    const startedMono = performance.now();
    const earlierMs = op.startedAt === undefined ? 0 : Math.max(0, Date.now() - op.startedAt.getTime());
    let ended = false;
    return {
      run: (fn) => context.with(active, fn),
      end: (error?: unknown) => {
        if (ended) return;
        ended = true;
        const attributes = metricAttributes(op, this.#server);
        if (error !== undefined) {
          const type = errorType(error);
          attributes[ATTR.ERROR_TYPE] = type;
          span.setAttribute(ATTR.ERROR_TYPE, type);
          if (error instanceof Error) span.recordException(error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorText(error) });
        }
        span.end();
        this.#record(op, attributes, (earlierMs + performance.now() - startedMono) / 1000);
      },
    };
  }

  reconnected(): void {
    this.instruments.reconnections.add(1, { [ATTR.SYSTEM]: MESSAGING_SYSTEM, ...this.#server });
  }

  retried(operation: string, reason: RetryReason): void {
    this.instruments.retries.add(1, { [ATTR.SYSTEM]: MESSAGING_SYSTEM, ...this.#server, [ATTR.OPERATION]: operation, [ATTR.RETRY_REASON]: reason });
  }

  #record(op: MessagingOperation, attributes: Attributes, seconds: number): void {
    const { instruments } = this;
    if (op.type === 'process') instruments.processDuration.record(seconds, attributes);
    else instruments.operationDuration.record(seconds, attributes);
    if (op.type === 'send') instruments.sent.add(op.messageCount ?? 1, attributes);
    // Pulled queue messages count once, when received; pushed ones when delivered.
    const consumed = op.type === 'receive' ? (op.messageCount ?? 0) : op.type === 'process' && op.pattern !== 'queues' ? 1 : 0;
    if (consumed > 0) instruments.consumed.add(consumed, attributes);
  }

  /**
   * Writes the trace context into a message's tags, unless the caller already put one there. A
   * propagator that throws leaves the message without one: it is still sent.
   */
  #inject(active: Context, carrier: Record<string, string>): void {
    try {
      for (const field of this.propagator.fields()) if (carrier[field] !== undefined) return;
      this.propagator.inject(active, carrier, defaultTextMapSetter);
    } catch {
      // the application's propagator failed; the message goes without its context
    }
  }

  /** The context a message carries, read against the root (none: the root); a propagator that throws reads as none. */
  #extract(carrier: Record<string, string>): Context {
    try {
      return this.propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
    } catch {
      return ROOT_CONTEXT;
    }
  }

  #links(tags: readonly Record<string, string>[]): Link[] {
    const links: Link[] = [];
    for (const carrier of tags) {
      const linked = trace.getSpanContext(this.#extract(carrier));
      if (linked !== undefined && isSpanContextValid(linked)) links.push({ context: linked });
    }
    return links;
  }
}
