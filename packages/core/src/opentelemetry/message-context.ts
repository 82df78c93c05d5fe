import { context, defaultTextMapGetter, type Context, type TextMapPropagator } from '@opentelemetry/api';
import { W3CTraceContext } from './trace-context.js';

const w3c = /* @__PURE__ */ new W3CTraceContext();

/**
 * The trace context a received message carries in its tags (its producer's span), for code that
 * processes messages outside the SDK's own spans: a `for await` loop, a batch handled later.
 * Start your span with it as the parent, or run code in it with `context.with`.
 *
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api';
 * import { messageContext } from '@kubemq/core/opentelemetry';
 *
 * declare const message: { tags: Record<string, string> };
 * const span = trace.getTracer('billing').startSpan('bill order', {}, messageContext(message));
 * span.end();
 * ```
 */
export function messageContext(
  message: { readonly tags: Readonly<Record<string, string>> },
  options: { propagator?: TextMapPropagator | undefined; base?: Context | undefined } = {},
): Context {
  return (options.propagator ?? w3c).extract(options.base ?? context.active(), message.tags, defaultTextMapGetter);
}
