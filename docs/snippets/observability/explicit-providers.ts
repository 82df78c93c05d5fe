import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor, ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { KubemqClient } from '@kubemq/core';
import { openTelemetry } from '@kubemq/core/opentelemetry';

// Providers of its own for this client, not the global ones. A context manager makes spans that
// handlers start children of the SDK's process spans (NodeSDK registers one by itself).
export async function connectWithOwnProviders(): Promise<KubemqClient> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] });
  const meterProvider = new MeterProvider();
  return KubemqClient.connect({
    address: 'localhost:50000',
    telemetry: openTelemetry({ tracerProvider, meterProvider }),
  });
}
