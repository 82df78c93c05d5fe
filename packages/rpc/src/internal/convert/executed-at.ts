/**
 * `Response.Timestamp` is whatever the responder put there: the broker never sets it, and the
 * official SDKs disagree on the unit (kubemq-go writes Unix seconds, kubemq-java Unix nanoseconds,
 * kubemq-js nothing). Read it by magnitude, which is unambiguous for any date after 1973:
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
