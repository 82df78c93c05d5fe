import { closedOptions } from '../validation/closed-options.js';
import { checked } from '../validation/fail.js';
import { validatePositiveInt } from '../validation/numbers.js';

/** Unwritten events a send stream holds while (re)connecting, unless told otherwise. */
export const DEFAULT_MAX_QUEUED = 10_000;

/**
 * The options of `eventStream()` and `eventStoreStream()`, `{ maxQueued }` (closed; default
 * DEFAULT_MAX_QUEUED, else a whole number ≥ 1): what is wrong is a ValidationError naming `operation`.
 */
export function readEventStreamOptions(options: { readonly maxQueued?: number | undefined } | undefined, operation: string): { maxQueued: number } {
  const { maxQueued } = closedOptions(options, operation, ['maxQueued']);
  return { maxQueued: maxQueued === undefined ? DEFAULT_MAX_QUEUED : checked(operation, undefined, () => validatePositiveInt(maxQueued, 'maxQueued')) };
}
