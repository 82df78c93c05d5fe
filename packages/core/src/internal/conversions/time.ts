import { fail } from '../validation/fail.js';

const NANOS_PER_MS = 1_000_000n;
/** The largest value of the wire's int32 fields (seconds, a request's Timeout in ms). */
export const MAX_INT32 = 2_147_483_647;

/**
 * Milliseconds (the public API's unit) → whole seconds (the wire's unit for queue delays,
 * expirations, waits and `StartAtTimeDelta`). A value that is not a whole number of seconds is
 * rejected rather than rounded, so a user never gets a different duration than asked for.
 */
export function msToSeconds(ms: number, field: string): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) fail(field, `must be a finite number of milliseconds (got ${String(ms)})`);
  if (ms < 0) fail(field, `cannot be negative (got ${ms} ms)`);
  if (ms % 1000 !== 0) fail(field, `must be a whole number of seconds, in milliseconds (got ${ms} ms)`);
  const seconds = ms / 1000;
  if (seconds > MAX_INT32) fail(field, `is too large (${ms} ms)`);
  return seconds;
}

/** Unix nanoseconds (bigint, above 2^53 for current dates) → Date (millisecond precision, floored). */
export function nanosToDate(ns: bigint): Date {
  const ms = ns / NANOS_PER_MS - (ns < 0n && ns % NANOS_PER_MS !== 0n ? 1n : 0n);
  return new Date(Number(ms));
}

/** Date → Unix nanoseconds as a bigint. */
export function dateToNanos(date: Date, field = 'date'): bigint {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) fail(field, 'must be a valid Date');
  return BigInt(date.getTime()) * NANOS_PER_MS;
}

/** Unix seconds (the wire's `PingResult.ServerStartTime`) → Date. */
export function secondsToDate(s: bigint | number): Date {
  return new Date(Number(s) * 1000);
}
