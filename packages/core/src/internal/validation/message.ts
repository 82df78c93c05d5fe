import { fail } from './fail.js';
import { requireWellFormed } from './text-rules.js';

const encoder = /* @__PURE__ */ new TextEncoder();

/** How a size error names the bound it checked: the client's own, or the broker's (see StreamSender). */
export const CLIENT_SIZE_LIMIT = "the client's maxMessageBytes";
export const BROKER_SIZE_LIMIT = "the broker's message size limit (it refused a larger one)";
export const DELIVERY_SIZE_LIMIT = 'what the broker can deliver to a receiver (it accepts a larger message and drops it unseen)';

/**
 * The broker hands events, commands, queries and query replies to their receivers through NATS
 * subscriptions, which drop any message over 64 MiB (NATS's default pending-bytes limit) without
 * a word: the send is accepted, nobody receives it. This bound leaves 64 KiB of that to the
 * fields around the body.
 */
export const DELIVERY_MAX_BYTES = 64 * 1024 * 1024 - 64 * 1024;

/** The lower of the client's `maxMessageBytes` and `DELIVERY_MAX_BYTES`, with the name a size error gives it. */
export function deliveryBound(maxBytes = Number.POSITIVE_INFINITY): { bytes: number; limit: string } {
  return maxBytes <= DELIVERY_MAX_BYTES ? { bytes: maxBytes, limit: CLIENT_SIZE_LIMIT } : { bytes: DELIVERY_MAX_BYTES, limit: DELIVERY_SIZE_LIMIT };
}

/**
 * A message body: a string (sent as UTF-8), a Uint8Array or a Buffer; absent means empty. Bodies
 * over `maxBytes` (the client's `maxMessageBytes`) are refused here rather than by gRPC after
 * encoding, so the error names the field.
 */
export function validateBody(body: unknown, field = 'body', maxBytes = Number.POSITIVE_INFINITY, limit = CLIENT_SIZE_LIMIT): Uint8Array {
  let bytes: Uint8Array;
  if (body === undefined || body === null) bytes = new Uint8Array(0);
  else if (typeof body === 'string') bytes = encoder.encode(requireWellFormed(body, field));
  else if (body instanceof Uint8Array) bytes = body;
  else return fail(field, `must be a string or a Uint8Array (got ${describeType(body)})`);
  if (bytes.length > maxBytes) fail(field, `is ${bytes.length} bytes, over ${limit} (${maxBytes})`);
  return bytes;
}

/** What a message adds beyond its strings and body (field tags, lengths, numbers, flags), at most. */
const MESSAGE_OVERHEAD = 64;

/**
 * A message, encoded, must fit `bound` (its error names `bound.limit`). `text` is the UTF-16 length
 * of its strings, tags included (see {@link tagsTextLength}); a UTF-16 unit is at most 3 bytes of
 * UTF-8. That cheap upper bound settles the usual message; only one near the bound is encoded.
 */
export function requireEncodedFits(
  noun: string,
  bodyBytes: number,
  text: number,
  encodedSize: () => number,
  bound: { bytes: number; limit: string },
): void {
  if (MESSAGE_OVERHEAD + bodyBytes + 3 * text <= bound.bytes) return;
  const bytes = encodedSize();
  if (bytes > bound.bytes) fail(noun, `it is ${bytes} bytes encoded (body, channel, metadata and tags), over ${bound.limit} (${bound.bytes})`);
}

/** Tags: a plain object of string → string; absent means none. Keys cannot be empty. */
export function validateTags(tags: unknown, field = 'tags'): Record<string, string> {
  if (tags === undefined || tags === null) return {};
  if (typeof tags !== 'object' || Array.isArray(tags) || tags instanceof Map) {
    fail(field, `must be a plain object of string values (got ${describeType(tags)})`);
  }
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    if (key === '') fail(field, 'keys cannot be empty');
    // A JavaScript receiver (this SDK's decoder included) stores tags in a plain object, where
    // `__proto__` sets the prototype: the tag would vanish on the way. Refuse it instead.
    if (key === '__proto__') fail(`${field}.__proto__`, 'is reserved: a JavaScript receiver cannot keep a tag of that name');
    if (typeof value !== 'string') fail(`${field}.${key}`, `must be a string (got ${describeType(value)})`);
    requireWellFormed(key, `${field}.${key}`);
    result[key] = requireWellFormed(value, `${field}.${key}`);
  }
  return result;
}

/**
 * Tags' share of an upper bound on a message's encoded size, in UTF-16 units (3 bytes of UTF-8 at
 * most each): every key and value, plus 12 for a map entry's field tags and lengths. The message
 * size checks (an event, a queue batch) take it before deciding whether to encode.
 */
export function tagsTextLength(tags: Record<string, string>): number {
  let length = 0;
  for (const key in tags) length += key.length + (tags[key] as string).length + 12;
  return length;
}

/** Metadata: a string; absent means ''. */
export function validateMetadata(value: unknown, field = 'metadata'): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') fail(field, `must be a string (got ${describeType(value)})`);
  return requireWellFormed(value, field);
}

/** The broker's `Error 110` rule: body and metadata cannot both be empty (tags alone do not count). */
export function requireNonEmptyMessage(body: Uint8Array, metadata: string, field = 'body'): void {
  if (body.length === 0 && metadata.length === 0) fail(field, 'body and metadata cannot both be empty');
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
