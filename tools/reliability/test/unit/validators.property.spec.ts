// Property-based tests (fast-check) of core's validators and unit conversions
// (@kubemq/core/internal): whatever a caller passes, the answer is a value or a ValidationError
// naming the field, never another exception and never a silently changed value.
import { ValidationError } from '@kubemq/core';
import {
  dateToNanos,
  msToSeconds,
  nanosToDate,
  validateBody,
  validateChannel,
  validateGroup,
  validateMetadata,
  validatePositiveInt,
  validateTags,
  type ChannelPattern,
} from '@kubemq/core/internal';
import fc from 'fast-check';

const PATTERNS: ChannelPattern[] = ['events', 'events_store', 'commands', 'queries', 'queues'];
const MAX_INT32 = 2_147_483_647;

/** Runs `fn`; returns the ValidationError it threw, undefined when it returned, rethrows anything else. */
function validationErrorOf(fn: () => unknown): ValidationError | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
}

const tokenChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-'.split(''));
const token = fc.string({ unit: tokenChar, minLength: 1, maxLength: 12 });
const safeChannel = fc.array(token, { minLength: 1, maxLength: 6 }).map((t) => t.join('.'));
// Whitespace and control characters anywhere in a name.
const forbiddenChar = fc.constantFrom(' ', '\t', '\n', '\r', '\u0000', '\u001f', '\u007f', '\u0085', '\u00a0', '\u2028', '\u3000', '\u000b');

describe('validateChannel', () => {
  it('accepts every dot-separated name of safe tokens unchanged, for every pattern', () => {
    fc.assert(
      fc.property(safeChannel, fc.constantFrom(...PATTERNS), (channel, pattern) => {
        expect(validateChannel(channel, { pattern })).toBe(channel);
      }),
    );
  });

  it('rejects any whitespace or control character, naming the field', () => {
    fc.assert(
      fc.property(safeChannel, forbiddenChar, fc.nat(), fc.constantFrom(...PATTERNS), (channel, bad, at, pattern) => {
        const i = at % (channel.length + 1);
        const err = validationErrorOf(() => validateChannel(channel.slice(0, i) + bad + channel.slice(i), { pattern, field: 'target' }));
        expect(err?.field).toBe('target');
      }),
    );
  });

  it('answers anything a JavaScript caller passes with a string or a ValidationError', () => {
    fc.assert(
      fc.property(fc.anything(), fc.constantFrom(...PATTERNS), fc.boolean(), (value, pattern, allowWildcards) => {
        const err = validationErrorOf(() => validateChannel(value, { pattern, allowWildcards }));
        if (err) expect(err.field).toBe('channel');
        else expect(typeof value).toBe('string');
      }),
    );
  });

  it('never accepts a wildcard in the events store or queues', () => {
    fc.assert(
      fc.property(safeChannel, fc.constantFrom('*', '>'), fc.constantFrom<ChannelPattern>('events_store', 'queues'), (channel, w, pattern) => {
        expect(validationErrorOf(() => validateChannel(`${channel}.${w}`, { pattern, allowWildcards: true }))?.field).toBe('channel');
      }),
    );
  });

  it('accepts whole-token wildcards where allowed, and rejects partial ones', () => {
    fc.assert(
      fc.property(safeChannel, token, (channel, t) => {
        expect(validateChannel(`${channel}.*.${t}`, { pattern: 'events', allowWildcards: true })).toBe(`${channel}.*.${t}`);
        expect(validateChannel(`${channel}.>`, { pattern: 'events', allowWildcards: true })).toBe(`${channel}.>`);
        expect(validationErrorOf(() => validateChannel(`${channel}${t}*`, { pattern: 'events', allowWildcards: true }))).toBeDefined();
        expect(validationErrorOf(() => validateChannel(`${channel}.>.${t}`, { pattern: 'events', allowWildcards: true }))).toBeDefined();
      }),
    );
  });

  it('bounds stan-backed names by their UTF-8 byte length (240 events store, 246 queues)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.constantFrom(['events_store', 240] as const, ['queues', 246] as const), (n, [pattern, max]) => {
        const name = 'é'.repeat(n); // two bytes each
        const err = validationErrorOf(() => validateChannel(name, { pattern }));
        expect(err === undefined).toBe(2 * n <= max);
      }),
    );
  });

  it('rejects strings that are not well-formed UTF-16 (a lone surrogate would reach the broker as U+FFFD)', () => {
    fc.assert(
      fc.property(safeChannel, fc.integer({ min: 0xd800, max: 0xdfff }), fc.constantFrom(...PATTERNS), (channel, code, pattern) => {
        expect(validationErrorOf(() => validateChannel(channel + String.fromCharCode(code), { pattern }))?.field).toBe('channel');
      }),
    );
  });
});

describe('validateGroup, validateMetadata, validateTags, validateBody', () => {
  it('groups: empty means none; safe tokens pass; anything else is a string or a ValidationError', () => {
    expect(validateGroup(undefined, { pattern: 'events' })).toBe('');
    fc.assert(fc.property(token, fc.constantFrom(...PATTERNS), (g, pattern) => expect(validateGroup(g, { pattern })).toBe(g)));
    fc.assert(
      fc.property(fc.anything(), fc.constantFrom(...PATTERNS), (value, pattern) => {
        const err = validationErrorOf(() => validateGroup(value, { pattern }));
        if (err) expect(err.field).toBe('group');
      }),
    );
  });

  it('metadata: any string is kept; any non-string is refused', () => {
    fc.assert(fc.property(fc.string(), (s) => expect(validateMetadata(s)).toBe(s)));
    fc.assert(
      fc.property(fc.anything().filter((v) => typeof v !== 'string' && v !== undefined && v !== null), (v) => {
        expect(validationErrorOf(() => validateMetadata(v))?.field).toBe('metadata');
      }),
    );
  });

  it('tags: a record of strings is copied as is; a non-string value is refused naming tags.<key>', () => {
    // `__proto__` is the one reserved key (a JavaScript receiver cannot keep it): refused, naming it.
    const key = fc.string({ minLength: 1 }).filter((k) => k !== '__proto__');
    fc.assert(fc.property(fc.dictionary(key, fc.string()), (tags) => expect(validateTags(tags)).toEqual(tags)));
    fc.assert(
      fc.property(fc.dictionary(key, fc.string()), fc.string(), (tags, value) => {
        const withProto = { ...tags };
        Object.defineProperty(withProto, '__proto__', { value, enumerable: true });
        expect(validationErrorOf(() => validateTags(withProto))?.field).toBe('tags.__proto__');
      }),
    );
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((k) => k !== '__proto__'), fc.oneof(fc.integer(), fc.boolean(), fc.object()), (key, value) => {
        expect(validationErrorOf(() => validateTags({ [key]: value }))?.field).toBe(`tags.${key}`);
      }),
    );
  });

  it('body: strings become their UTF-8 bytes; bytes pass through; other types are refused', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => expect(Buffer.from(validateBody(s)).equals(Buffer.from(s, 'utf8'))).toBe(true)));
    fc.assert(fc.property(fc.uint8Array(), (b) => expect(validateBody(b)).toBe(b)));
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.boolean(), fc.object(), fc.array(fc.nat())), (v) => {
        expect(validationErrorOf(() => validateBody(v))?.field).toBe('body');
      }),
    );
  });
});

describe('validatePositiveInt', () => {
  it('accepts exactly the integers in [min, max]', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -500, max: 500 }), fc.integer({ min: 0, max: 500 }), (v, min, span) => {
        const max = min + span;
        const err = validationErrorOf(() => validatePositiveInt(v, 'n', { min, max }));
        expect(err === undefined).toBe(v >= min && v <= max);
        if (err) expect(err.field).toBe('n');
      }),
    );
  });

  it('refuses non-integers, non-finite numbers and non-numbers', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double().filter((d) => !Number.isInteger(d)), fc.constantFrom(NaN, Infinity, -Infinity), fc.string(), fc.boolean(), fc.bigInt()), (v) => {
        expect(validationErrorOf(() => validatePositiveInt(v, 'n'))?.field).toBe('n');
      }),
    );
  });
});

describe('msToSeconds', () => {
  it('converts every whole number of seconds exactly', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: MAX_INT32 }), (s) => expect(msToSeconds(s * 1000, 'f')).toBe(s)));
  });

  it('refuses, never rounds: fractions of a second, negatives, non-finite and too large values', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 1e9 }).filter((ms) => ms % 1000 !== 0),
          fc.integer({ min: -1e9, max: -1 }),
          fc.double({ noNaN: false }).filter((d) => !Number.isInteger(d / 1000) || !Number.isFinite(d)),
          fc.integer({ min: MAX_INT32 + 1, max: 2 ** 40 }).map((s) => s * 1000),
        ),
        (ms) => expect(validationErrorOf(() => msToSeconds(ms, 'delayMs'))?.field).toBe('delayMs'),
      ),
    );
  });
});

describe('nanosToDate / dateToNanos', () => {
  const validDate = fc.date({ noInvalidDate: true });

  it('round-trips every valid Date', () => {
    fc.assert(fc.property(validDate, (d) => expect(nanosToDate(dateToNanos(d)).getTime()).toBe(d.getTime())));
  });

  it('floors nanoseconds to the millisecond (also before 1970)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(8_640_000_000_000_000n * 1_000_000n) + 1_000_000n, max: 8_640_000_000_000_000n * 1_000_000n }), (ns) => {
        const back = dateToNanos(nanosToDate(ns));
        expect(back <= ns && ns - back < 1_000_000n).toBe(true);
      }),
    );
  });

  it('refuses invalid Dates and non-Dates, naming the field', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constant(new Date(NaN)), fc.string(), fc.integer(), fc.constant(null)), (v) => {
        expect(validationErrorOf(() => dateToNanos(v as Date, 'startAt.time'))?.field).toBe('startAt.time');
      }),
    );
  });
});
