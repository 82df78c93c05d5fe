import { fail } from './fail.js';
import { describeType } from './message.js';

/** Bounds for {@link validatePositiveInt}. */
export interface NumberRules {
  /** Default 1. */
  min?: number;
  max?: number;
  /** Default true. */
  integer?: boolean;
}

/** A finite number within [min, max] (min defaults to 1), an integer unless `integer: false`. */
export function validatePositiveInt(value: unknown, field: string, rules: NumberRules = {}): number {
  const min = rules.min ?? 1;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, `must be a finite number (got ${describeValue(value)})`);
  if ((rules.integer ?? true) && !Number.isInteger(value)) fail(field, `must be an integer (got ${value})`);
  if (value < min) fail(field, `must be at least ${min} (got ${value})`);
  if (rules.max !== undefined && value > rules.max) fail(field, `must be at most ${rules.max} (got ${value})`);
  return value;
}

/** An AbortSignal or nothing. */
export function validateSignal(signal: unknown, field = 'signal'): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) fail(field, `must be an AbortSignal (got ${describeType(signal)})`);
  return signal;
}

function describeValue(value: unknown): string {
  return typeof value === 'number' ? String(value) : describeType(value);
}
