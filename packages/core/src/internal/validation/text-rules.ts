import { codePoint, fail } from './fail.js';

// C0, DEL and C1 control characters: matching them is the point.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const WHITESPACE = /\s/u;

/**
 * A non-empty string with no control character and no whitespace of any kind. The broker checks
 * only the ASCII space; a tab in an events-store channel breaks its events store for every client
 * until it restarts (spec/server.md §6), so the client rejects all of them.
 */
export function requireToken(value: unknown, field: string): string {
  if (typeof value !== 'string') fail(field, `must be a string (got ${typeof value})`);
  if (value.length === 0) fail(field, 'cannot be empty');
  const control = CONTROL.exec(value);
  if (control) fail(field, `contains the control character ${codePoint(control[0])} at index ${control.index}`);
  const space = WHITESPACE.exec(value);
  if (space) fail(field, `contains the whitespace character ${codePoint(space[0])} at index ${space.index}`);
  return value;
}
