/**
 * `@kubemq/core/opentelemetry`: OpenTelemetry tracing and metrics for a KubeMQ client. Needs the
 * optional peer dependency `@opentelemetry/api`; nothing else in the SDK loads it.
 *
 * @packageDocumentation
 */
export { openTelemetry, INSTRUMENTATION_SCOPE, type OpenTelemetryOptions } from './open-telemetry.js';
export { messageContext } from './message-context.js';
export { W3CTraceContext } from './trace-context.js';
export { ATTR, MESSAGING_SYSTEM } from './attributes.js';
export { METRIC } from './instruments.js';
