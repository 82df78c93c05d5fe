import { context, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader, type DataPoint, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** A metric reader that only reports when asked (`collect()`), for assertions. */
class OnDemandReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** One data point of a collected metric, flattened for assertions. */
export interface CapturedPoint {
  /** The metric's name, e.g. `messaging.client.sent.messages`. */
  readonly name: string;
  /** The point's attributes. */
  readonly attributes: Attributes;
  /** A counter's sum, or a histogram's count of recordings. */
  readonly value: number;
}

/** In-memory spans and metrics for a test; see {@link captureTelemetry}. */
export interface TelemetryCapture {
  /** The spans' provider (`openTelemetry(capture)` takes this and the meter provider). */
  readonly tracerProvider: BasicTracerProvider;
  /** The metrics' provider. */
  readonly meterProvider: MeterProvider;
  /** The spans ended so far, oldest first. */
  spans(): ReadableSpan[];
  /** Waits until `predicate` holds for the ended spans (polling every 20 ms); returns them. */
  waitForSpans(predicate: (spans: ReadableSpan[]) => boolean, timeoutMs?: number): Promise<ReadableSpan[]>;
  /** Collects every metric now, one entry per data point. */
  metrics(): Promise<CapturedPoint[]>;
  /** Forgets the spans ended so far. */
  reset(): void;
  /** Shuts both providers down. */
  shutdown(): Promise<void>;
}

function pointValue(metric: MetricData, point: DataPoint<unknown>): number {
  const value = point.value;
  if (typeof value === 'number') return value;
  // Histograms: how many values were recorded.
  if (typeof value === 'object' && value !== null && 'count' in value) return Number((value as { count: number }).count);
  throw new TypeError(`unsupported data point in ${metric.descriptor.name}`);
}

/**
 * Spans and metrics captured in memory, for tests that assert what an instrumented client
 * records. Also enables an AsyncLocalStorage context manager when none is registered, so spans
 * started inside a handler become children of the SDK's span. Needs the OpenTelemetry SDK
 * packages (`@opentelemetry/sdk-trace-base`, `@opentelemetry/sdk-metrics`,
 * `@opentelemetry/context-async-hooks`) as dev dependencies.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { openTelemetry } from '@kubemq/core/opentelemetry';
 * import { captureTelemetry } from '@kubemq/testing/opentelemetry';
 *
 * const capture = captureTelemetry();
 * const client = await KubemqClient.connect({
 *   telemetry: openTelemetry(capture),
 * });
 * await client.close();
 * console.log(capture.spans().map((s) => s.name));
 * ```
 */
export function captureTelemetry(): TelemetryCapture {
  // setGlobalContextManager refuses (returns false) when one is registered already: keep that one.
  const manager = new AsyncLocalStorageContextManager();
  if (context.setGlobalContextManager(manager)) manager.enable();
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracerProvider,
    meterProvider,
    spans: () => [...exporter.getFinishedSpans()],
    async waitForSpans(predicate, timeoutMs = 10_000) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const spans = [...exporter.getFinishedSpans()];
        if (predicate(spans)) return spans;
        if (performance.now() > deadline) {
          throw new Error(`waitForSpans: not there after ${timeoutMs} ms; ended spans: ${spans.map((s) => s.name).join(', ') || 'none'}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async metrics() {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics.flatMap((scope) =>
        scope.metrics.flatMap((metric) =>
          (metric.dataPoints as DataPoint<unknown>[]).map((point) => ({
            name: metric.descriptor.name,
            attributes: point.attributes,
            value: pointValue(metric, point),
          })),
        ),
      );
    },
    reset: () => exporter.reset(),
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}
