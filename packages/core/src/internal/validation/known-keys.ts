import { fail } from './fail.js';

/**
 * Refuses a key that is not among `known`. For the small, closed objects where a misspelt or
 * foreign name (another SDK's `maxReceiveQueue`, a `startPosition`) would otherwise be ignored
 * and the default silently take its place. `field` names the object ('' for a top-level one).
 * `renamed` maps a name known from elsewhere (kubemq-js, this SDK's 0.1) to the one to use, which
 * the error then names. An own key whose value is `undefined` counts as given: it must be known too.
 */
export function requireKnownKeys(value: object, known: readonly string[], field: string, renamed?: Readonly<Record<string, string>>): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const use = renamed !== undefined && Object.hasOwn(renamed, key) ? renamed[key] : undefined;
    fail(field === '' ? key : `${field}.${key}`, use === undefined ? `is not an option here (the options are ${known.join(', ')})` : `is not an option here: use ${use}`);
  }
}
