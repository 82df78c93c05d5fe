import { ValidationError } from '../errors/kubemq-error.js';

/**
 * A call's options argument: absent is `{}`; anything but an object (`null`, a number, a string)
 * is a ValidationError naming `operation` rather than a TypeError from reading a field of it.
 */
export function optionsObject<T extends object>(value: T | undefined, operation = 'validate', field = 'options'): T {
  if (value === undefined) return {} as T;
  if (typeof value !== 'object' || value === null) {
    throw new ValidationError({ message: `invalid ${field}: must be an object (got ${value === null ? 'null' : typeof value})`, operation, field });
  }
  return value;
}
