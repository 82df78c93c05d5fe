import { ValidationError } from '../errors/kubemq-error.js';

/**
 * A call's options argument: absent is `{}`; anything but an object (`null`, a number, a string,
 * an array) is a ValidationError naming `operation` rather than a TypeError from reading a field
 * of it, or a spread of it that silently leaves every default in force.
 */
export function optionsObject<T extends object>(value: T | undefined, operation = 'validate', field = 'options'): T {
  if (value === undefined) return {} as T;
  return requireObject<T>(value, field, operation);
}

/**
 * An argument that must be an object (a message, a policy, required options): anything else,
 * `undefined` included, is a ValidationError naming `field` and `operation`, with what it got.
 */
export function requireObject<T extends object = Record<string, unknown>>(value: unknown, field: string, operation = 'validate'): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError({ message: `invalid ${field}: must be an object (got ${kindOf(value)})`, operation, field });
  }
  return value as T;
}

/** What a value that is not an object is, for the error: `null`, `array` or its typeof. */
function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}
