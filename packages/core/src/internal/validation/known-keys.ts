import { fail } from './fail.js';

/**
 * Refuses a key that is not among `known`. For the small, closed objects where a misspelt or
 * foreign name (another SDK's `maxReceiveQueue`, a `startPosition`) would otherwise be ignored
 * and the default silently take its place. `field` names the object ('' for a top-level one).
 */
export function requireKnownKeys(value: object, known: readonly string[], field: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) fail(field === '' ? key : `${field}.${key}`, `is not an option here (the options are ${known.join(', ')})`);
  }
}
