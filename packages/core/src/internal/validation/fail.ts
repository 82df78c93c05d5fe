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

/** Core's validators name the field but not the operation; errors here carry the caller's operation. */
export function withOperation(err: unknown, operation: string, channel: unknown): unknown {
  if (err instanceof ValidationError && err.operation === 'validate') {
    return new ValidationError({
      message: err.message,
      operation,
      field: err.field,
      ...(typeof channel === 'string' && channel !== '' && { channel }),
    });
  }
  return err;
}

/** `U+0009` style name of a character, so messages never print an invisible one raw. */
export function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
