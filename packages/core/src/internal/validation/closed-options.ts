import { checked } from './fail.js';
import { requireKnownKeys } from './known-keys.js';
import { optionsObject, requireObject } from './options-object.js';

/** How `closedOptions()` takes an absent argument, and what its error calls the argument. */
export interface ClosedOptionsRules {
  /** `undefined` is refused (got undefined) instead of read as `{}`: options a call cannot do without. */
  readonly required?: boolean;
  /** The argument's name in the error for what is no object (default `options`). */
  readonly field?: string;
}

/**
 * A closed options object: absent is `{}` (or refused, with `required`), anything but an object is
 * refused as optionsObject() refuses it, and so is a key not among `known`, naming the one to use
 * for a name in `renamed` (see requireKnownKeys()). Every refusal names `operation`.
 */
export function closedOptions<T extends object>(
  value: T | undefined,
  operation: string,
  known: readonly string[],
  renamed?: Readonly<Record<string, string>>,
  rules?: ClosedOptionsRules,
): T;
/** The same for a value of no known type: its keys read as `unknown`. */
export function closedOptions(
  value: unknown,
  operation: string,
  known: readonly string[],
  renamed?: Readonly<Record<string, string>>,
  rules?: ClosedOptionsRules,
): Record<string, unknown>;
export function closedOptions(
  value: unknown,
  operation: string,
  known: readonly string[],
  renamed?: Readonly<Record<string, string>>,
  rules: ClosedOptionsRules = {},
): object {
  const field = rules.field ?? 'options';
  const o = rules.required === true ? requireObject(value, field, operation) : optionsObject(value as object | undefined, operation, field);
  checked(operation, undefined, () => requireKnownKeys(o, known, '', renamed));
  return o;
}
