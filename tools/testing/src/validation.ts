import { ValidationError } from '@kubemq/core';

/**
 * Runs `fn` and returns the `field` of the ValidationError it throws. Fails when it throws
 * anything else, or nothing: a check that passed must not read as "no field".
 */
export function validationField(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError && err.code === 'VALIDATION') return err.field;
    throw new Error(`expected a ValidationError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected a ValidationError, and nothing was thrown');
}

/**
 * The largest body (from 0 to `limit` bytes) that `attempt` does not refuse with a VALIDATION
 * error, found by bisection. `attempt` is given a signal that has already aborted, so a send that
 * passes its checks sends nothing (it fails CANCELLED): safe against any broker.
 */
export async function largestValidBody(limit: number, attempt: (body: Uint8Array, signal: AbortSignal) => Promise<unknown>): Promise<number> {
  let lo = 0;
  let hi = limit;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const err = await attempt(new Uint8Array(mid), AbortSignal.abort()).then(
      () => undefined,
      (e: unknown) => e,
    );
    if ((err as { code?: string } | undefined)?.code === 'VALIDATION') hi = mid - 1;
    else lo = mid;
  }
  return lo;
}
