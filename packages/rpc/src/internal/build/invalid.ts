import { ValidationError } from '@kubemq/core';
import { checked, requireIdText } from '@kubemq/core/internal';

/** A ValidationError naming the field, for the checks core's validators do not cover. */
export function invalid(field: string, message: string, operation: string, channel?: string): ValidationError {
  return new ValidationError({ message: `invalid ${field}: ${message}`, field, operation, ...(channel === undefined ? {} : { channel }) });
}

/** An optional string field: undefined stays undefined, anything else must be a string. */
export function optionalString(value: unknown, field: string, operation: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(field, `must be a string, got ${typeof value}`, operation);
  return value;
}

/** An id the caller supplied: core's rule for ids (requireIdText), and no whitespace. */
export function validateId(value: unknown, field: string, operation: string): string {
  const id = checked(operation, undefined, () => requireIdText(value, field));
  if (/\s/.test(id)) throw invalid(field, 'must not contain whitespace', operation);
  return id;
}

/**
 * An id another client chose, echoed back: the broker requires only that it is there (it travels
 * in the payload, never in a NATS line), and a sender of another SDK may use any text.
 */
export function requireNonEmptyString(value: unknown, field: string, operation: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(field, 'must be a non-empty string', operation);
  return value;
}
