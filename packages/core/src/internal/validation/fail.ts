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

/** `U+0009` style name of a character, so messages never print an invisible one raw. */
export function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
