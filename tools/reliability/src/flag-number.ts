// The number a command-line flag was given, for the burn-in's and loss-per-kill's parsers: a missing,
// empty or out-of-range value is an error naming the flag.

export function flagNumber(flag: string, value: string | undefined, { integer = true, allowZero = false } = {}): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < 0 || (!allowZero && n === 0)) {
    throw new TypeError(`${flag} must be a ${allowZero ? 'non-negative' : 'positive'} ${integer ? 'integer' : 'number'}, got ${JSON.stringify(value)}`);
  }
  return n;
}
