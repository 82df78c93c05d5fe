import { filter, firstValueFrom, timeout } from 'rxjs';
import type { ConnectionState, KubemqClient } from '../../../src/index.js';

/** Resolves when the client reaches `state` (fails the test after `ms`). */
export function reachState(client: KubemqClient, state: ConnectionState, ms = 8000): Promise<ConnectionState> {
  return firstValueFrom(client.state$.pipe(filter((s) => s === state), timeout(ms)));
}

/** Polls `check` until it returns true (fails after `ms`). */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The error a promise rejects with (fails if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}
