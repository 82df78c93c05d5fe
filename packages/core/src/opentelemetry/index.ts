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
// The seam openTelemetry() implements (also exported by `@kubemq/core`), so its result has a name here.
export type {
  Telemetry,
  TelemetryClientInfo,
  Instrumentation,
  MessagingOperation,
  MessagingOperationType,
  MessagingPattern,
  OperationSpan,
  RetryReason,
} from '../telemetry/telemetry.js';
