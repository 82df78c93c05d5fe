import type { Logger } from '../../client/logger.js';
import type { Instrumentation, OperationSpan, Telemetry, TelemetryClientInfo } from '../../telemetry/telemetry.js';
import { errorText } from '../errors/error-text.js';

const NOT_RECORDED: OperationSpan = { run: (fn) => fn(), end: () => undefined };

/**
 * The application's telemetry bound to one client, with its failures kept from the SDK: a span
 * that cannot start is not recorded, `run` calls its function exactly once whatever the span's own
 * `run` does, and `end`, `reconnected` and `retried` swallow errors. Telemetry runs inside
 * deliveries, replies and close(), none of which may fail because an exporter or a propagator has
 * a bug. The first failure is logged at warn, once per client; an `instrument()` that throws leaves
 * the client without telemetry.
 */
export function instrumentSafely(telemetry: Telemetry | undefined, client: TelemetryClientInfo, logger: Logger): Instrumentation | undefined {
  if (telemetry === undefined) return undefined;
  let warned = false;
  const report = (call: string, err: unknown): void => {
    if (!warned) logger.warn(`telemetry ${call} threw; the SDK goes on without it (logged once per client): ${errorText(err)}`, { clientId: client.clientId });
    warned = true;
  };
  const quietly = <R>(call: string, fn: () => R, fallback: R): R => {
    try {
      return fn();
    } catch (err) {
      report(call, err);
      return fallback;
    }
  };
  const inner = quietly('instrument()', () => telemetry.instrument(client), undefined);
  if (inner === undefined) return undefined;
  return {
    start: (operation) => {
      const span = quietly('start()', () => inner.start(operation), NOT_RECORDED);
      return { run: (fn) => runOnce(span, fn, report), end: (error) => quietly('end()', () => span.end(error), undefined) };
    },
    reconnected: () => quietly('reconnected()', () => inner.reconnected(), undefined),
    retried: (operation, reason) => quietly('retried()', () => inner.retried(operation, reason), undefined),
  };
}

/** `span.run(fn)` that calls `fn` exactly once and returns (or throws) what `fn` did, whatever `span.run` does. */
function runOnce<R>(span: OperationSpan, fn: () => R, report: (call: string, err: unknown) => void): R {
  const call: { outcome?: { value: R } | { thrown: unknown } } = {};
  const once = (): R => {
    if (call.outcome === undefined) {
      try {
        call.outcome = { value: fn() };
      } catch (err) {
        call.outcome = { thrown: err };
      }
    }
    if ('thrown' in call.outcome) throw call.outcome.thrown;
    return call.outcome.value;
  };
  try {
    span.run(once);
  } catch (err) {
    if (call.outcome === undefined || !('thrown' in call.outcome) || err !== call.outcome.thrown) report('run()', err);
  }
  // Not called (run threw first, or never called it): call it here, outside the span.
  return once();
}
