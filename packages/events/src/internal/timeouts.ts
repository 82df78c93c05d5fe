import { validatePositiveInt, type ClientInternals } from '@kubemq/core/internal';

/** The deadline of one call: the caller's `timeoutMs`, else the client's `defaultTimeoutMs`. */
export function callTimeoutMs(internals: ClientInternals, timeoutMs: number | undefined, field = 'timeoutMs'): number {
  if (timeoutMs !== undefined) return validatePositiveInt(timeoutMs, field);
  return internals.options.defaultTimeoutMs;
}
