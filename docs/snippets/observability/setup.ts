import { KubemqClient } from '@kubemq/core';
import { openTelemetry } from '@kubemq/core/opentelemetry';

// With the OpenTelemetry SDK started by the application (NodeSDK, or providers registered with
// trace.setGlobalTracerProvider / metrics.setGlobalMeterProvider), openTelemetry() sends the
// client's spans and metrics there. Without an SDK they go nowhere, at next to no cost.
export async function connectTraced(): Promise<KubemqClient> {
  return KubemqClient.connect({
    address: 'localhost:50000',
    clientId: 'orders-service',
    telemetry: openTelemetry(),
  });
}
