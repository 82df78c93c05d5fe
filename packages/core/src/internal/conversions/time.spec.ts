import fc from 'fast-check';
import { ValidationError } from '../errors/kubemq-error.js';
import { newId } from './id.js';
import { dateToNanos, msToSeconds, nanosToDate, secondsToDate } from './time.js';

describe('msToSeconds', () => {
  it('converts whole seconds', () => {
    expect(msToSeconds(0, 'delayMs')).toBe(0);
    expect(msToSeconds(60_000, 'delayMs')).toBe(60);
  });
  it.each([[1500], [-1000], [NaN], [Infinity], [1e13]])('rejects %p naming the field', (ms) => {
    try {
      msToSeconds(ms, 'expirationMs');
      throw new Error('no throw');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe('expirationMs');
    }
  });
  it('property: seconds × 1000 round-trips', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2_147_483_647 }), (s) => expect(msToSeconds(s * 1000, 'f')).toBe(s)));
  });
});

describe('nanosecond timestamps', () => {
  it('handles values above 2^53 exactly', () => {
    const ns = 1_764_300_000_123_456_789n; // 2025-11-28, far above Number.MAX_SAFE_INTEGER
    expect(ns > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(nanosToDate(ns).toISOString()).toBe('2025-11-28T03:20:00.123Z');
    expect(dateToNanos(new Date('2025-11-28T03:20:00.123Z'))).toBe(1_764_300_000_123_000_000n);
  });
  it('floors sub-millisecond parts, also before 1970', () => {
    expect(nanosToDate(1_999_999n).getTime()).toBe(1);
    expect(nanosToDate(-1n).getTime()).toBe(-1);
    expect(nanosToDate(0n).getTime()).toBe(0);
  });
  it('rejects an invalid Date', () => {
    expect(() => dateToNanos(new Date('nope'), 'startAt.time')).toThrow(/startAt.time/);
  });
  it('property: floors any nanoseconds to the millisecond, on both sides of 1970', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), (ns) => {
        const ms = nanosToDate(ns).getTime();
        expect(BigInt(ms) * 1_000_000n <= ns && ns < BigInt(ms + 1) * 1_000_000n).toBe(true);
      }),
    );
  });
  it('property: Date → ns → Date is the identity', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (d) => {
        const ns = dateToNanos(d);
        expect(nanosToDate(ns).getTime()).toBe(d.getTime());
        expect(ns).toBe(BigInt(d.getTime()) * 1_000_000n);
      }),
    );
  });
  it('property: ns → Date loses only the sub-millisecond part', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 8_640_000_000_000_000_000_000n }), (ns) => {
        expect(dateToNanos(nanosToDate(ns))).toBe(ns - (ns % 1_000_000n));
      }),
    );
  });
});

describe('secondsToDate and newId', () => {
  it('converts Unix seconds (bigint or number)', () => {
    expect(secondsToDate(1_700_000_000n).toISOString()).toBe('2023-11-14T22:13:20.000Z');
    expect(secondsToDate(0).getTime()).toBe(0);
  });
  it('makes unique UUIDs', () => {
    const a = newId();
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(newId()).not.toBe(a);
  });
});
