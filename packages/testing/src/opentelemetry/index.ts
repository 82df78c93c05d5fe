/**
 * `@kubemq/testing/opentelemetry`: spans and metrics of an instrumented client, captured in
 * memory for assertions. Loads the OpenTelemetry SDK, which `@kubemq/testing` itself never does.
 *
 * @packageDocumentation
 */
export { captureTelemetry, type TelemetryCapture, type CapturedPoint } from './capture-telemetry.js';
