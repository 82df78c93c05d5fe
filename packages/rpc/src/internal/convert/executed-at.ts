// `Response.Timestamp` is whatever the responder put there: the broker never sets it and passes
// it through untouched. The official Go SDK writes and reads it as Unix seconds (a Go requester
// turns nanoseconds into a date billions of years away), so replies are written in seconds; other
// SDKs write other units (kubemq-java nanoseconds), so replies are read in any unit.

/** A reply's execution time as the wire carries it: whole Unix seconds (floored). */
export function executedAtToWire(date: Date): bigint {
  return BigInt(Math.floor(date.getTime() / 1000));
}

/**
 * Reads `Response.Timestamp` by magnitude, which is unambiguous for any date after 1973:
 * below 1e11 seconds, below 1e14 milliseconds, below 1e17 microseconds, else nanoseconds.
 * 0 (or negative) means "not set".
 */
export function responseTimestampToDate(value: bigint): Date | undefined {
  if (value <= 0n) return undefined;
  let ms: bigint;
  if (value < 100_000_000_000n) ms = value * 1000n;
  else if (value < 100_000_000_000_000n) ms = value;
  else if (value < 100_000_000_000_000_000n) ms = value / 1000n;
  else ms = value / 1_000_000n;
  const date = new Date(Number(ms));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
