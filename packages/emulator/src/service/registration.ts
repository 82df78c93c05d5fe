// When a subscription starts receiving (broker-behaviour.md §0 [seen]): the server registers an
// events subscription or a responder a while after the call arrived and sends no header when it
// is done, so whatever is published in between is lost. Clients must probe until one arrives.
import type { Clock } from '../clock.js';

/**
 * Calls `register` after `delayMs` (at once for 0) and returns the function that undoes it: it
 * unsubscribes, or cancels a registration that has not happened yet.
 */
export function registerAfter(clock: Clock, delayMs: number, register: () => () => void): () => void {
  if (delayMs <= 0) return register();
  let unsubscribe: (() => void) | undefined;
  let cancelled = false;
  const timer = clock.setTimeout(() => {
    if (!cancelled) unsubscribe = register();
  }, delayMs);
  return () => {
    cancelled = true;
    clock.clearTimeout(timer);
    unsubscribe?.();
  };
}
