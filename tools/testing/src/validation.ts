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
