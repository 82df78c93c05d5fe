import { validatePositiveInt, type ClientInternals } from '@kubemq/core/internal';

/** Used when the client exposes no default timeout. */
const FALLBACK_TIMEOUT_MS = 10_000;

/** The deadline of one call: the caller's `timeoutMs`, else the client's default. */
export function callTimeoutMs(internals: ClientInternals, timeoutMs: number | undefined, field = 'timeoutMs'): number {
  if (timeoutMs !== undefined) return validatePositiveInt(timeoutMs, field);
  const fromClient = (internals.options as { defaultTimeoutMs?: unknown }).defaultTimeoutMs;
  return typeof fromClient === 'number' && fromClient > 0 ? fromClient : FALLBACK_TIMEOUT_MS;
}

/** Long-lived streams (subscriptions, send streams) have no deadline. */
export const STREAM_CONTEXT = { timeoutMs: 0 } as const;
