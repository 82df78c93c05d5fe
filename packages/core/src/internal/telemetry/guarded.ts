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
 * the client without telemetry. (Small on purpose: every app bundles it.)
 */
export function instrumentSafely(telemetry: Telemetry | undefined, client: TelemetryClientInfo, logger: Logger): Instrumentation | undefined {
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
  const inner = telemetry && quietly('instrument()', () => telemetry.instrument(client), undefined);
  return (
    inner && {
      start: (operation) => {
        const span = quietly('start()', () => inner.start(operation), NOT_RECORDED);
        return {
          run: <R>(fn: () => R): R => {
            // fn's outcome, once it ran: [value] or [, thrown].
            let outcome: [R] | [undefined, unknown] | undefined;
            const once = (): R => {
              if (!outcome) {
                try {
                  outcome = [fn()];
                } catch (err) {
                  outcome = [undefined, err];
                }
              }
              if (outcome.length > 1) throw outcome[1];
              return outcome[0] as R;
            };
            try {
              const returned: unknown = span.run(once);
              // A run() that wraps fn's promise (a timing `.finally()`, say) returns one of its own,
              // which rejects with fn's error and which nobody awaits: never an unhandled rejection.
              if (returned instanceof Promise && returned !== outcome?.[0]) returned.catch(() => undefined);
            } catch (err) {
              if (outcome?.[1] !== err) report('run()', err);
            }
            // Not called (run threw first, or never called it): call it here, outside the span.
            return once();
          },
          end: (error) => quietly('end()', () => span.end(error), undefined),
        };
      },
      reconnected: () => quietly('reconnected()', () => inner.reconnected(), undefined),
      retried: (operation, reason) => quietly('retried()', () => inner.retried(operation, reason), undefined),
    }
  );
}
