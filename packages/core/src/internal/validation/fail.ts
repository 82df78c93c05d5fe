import { ValidationError } from '../errors/kubemq-error.js';

/** Throws the ValidationError for `field`; nothing has been sent when this runs. */
export function fail(field: string, problem: string, channel?: string): never {
  throw new ValidationError({
    message: `invalid ${field}: ${problem}`,
    operation: 'validate',
    field,
    ...(channel !== undefined && { channel }),
  });
}

/**
 * A failed check of a public call, naming that call and the channel when it is known: core's
 * validators name the field, but say operation `'validate'` and no channel.
 */
export function withOperation(err: unknown, operation: string, channel: unknown): unknown {
  if (!(err instanceof ValidationError)) return err;
  const known = err.channel ?? (typeof channel === 'string' && channel !== '' ? channel : undefined);
  if (err.operation !== 'validate' && err.channel === known) return err;
  return new ValidationError({
    message: err.message,
    operation: err.operation === 'validate' ? operation : err.operation,
    field: err.field,
    ...(known !== undefined && { channel: known }),
    ...(err.cause !== undefined && { cause: err.cause }),
  });
}

/**
 * Runs a public call's checks, so that what they refuse names that call and its channel (see
 * withOperation) instead of the inner `'validate'`.
 */
export function checked<T>(operation: string, channel: unknown, check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw withOperation(err, operation, channel);
  }
}

/** `U+0009` style name of a character, so messages never print an invisible one raw. */
export function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
