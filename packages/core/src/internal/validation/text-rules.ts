import { codePoint, fail } from './fail.js';

// C0, DEL and C1 control characters: matching them is the point.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const WHITESPACE = /\s/u;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text must be well-formed UTF-16: gRPC encodes strings as UTF-8, and a lone surrogate would reach
 * the broker as U+FFFD, so `q\uD800` would silently name another channel.
 */
export function requireWellFormed(value: string, field: string): string {
  const lone = LONE_SURROGATE.exec(value);
  if (lone) fail(field, `contains the lone surrogate ${codePoint(lone[0])} at index ${lone.index} (not valid UTF-16 text)`);
  return value;
}

/**
 * A non-empty string with no control character and no whitespace of any kind. The broker checks
 * only the ASCII space; a tab in an events-store channel breaks its events store for every client
 * until it restarts (docs/broker-behaviour.md §6), so the client rejects all of them.
 */
export function requireToken(value: unknown, field: string): string {
  requirePrintableText(value, field);
  const space = WHITESPACE.exec(value);
  if (space) fail(field, `contains the whitespace character ${codePoint(space[0])} at index ${space.index}`);
  return requireWellFormed(value, field);
}

/**
 * An id the caller chose: a non-empty string with no control character, in well-formed UTF-16. A
 * lone surrogate reaches the broker as U+FFFD, so two ids that differ only there would be one id
 * to it (its delay scan keeps one delayed message per id) and the echo would not match.
 */
export function requireIdText(value: unknown, field: string): string {
  requirePrintableText(value, field);
  return requireWellFormed(value, field);
}

/** The checks tokens and ids share: a non-empty string with no control character. */
function requirePrintableText(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string') fail(field, `must be a string (got ${typeof value})`);
  if (value.length === 0) fail(field, 'cannot be empty');
  const control = CONTROL.exec(value);
  if (control) fail(field, `contains the control character ${codePoint(control[0])} at index ${control.index}`);
}

/**
 * Why a token cannot travel, or undefined when it can. It goes out as the `authorization` header,
 * which gRPC takes only in printable ASCII; grpc-js refuses anything else with an error that
 * quotes the whole token, so the reason here names the character and never the token.
 */
export function tokenProblem(token: string): string | undefined {
  if (token === '') return 'is empty';
  const bad = /[^\x20-\x7e]/.exec(token);
  if (!bad) return undefined;
  return `contains ${codePoint(bad[0])} at index ${bad.index}, and a token travels as a header, in printable ASCII only (read from a file? trim it, and any byte-order mark)`;
}
