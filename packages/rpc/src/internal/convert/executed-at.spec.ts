import { executedAtToWire, responseTimestampToDate } from './executed-at.js';

describe('responseTimestampToDate', () => {
  const at = new Date('2026-11-28T03:00:00.123Z');
  const ms = BigInt(at.getTime());

  it('treats 0 (and negatives) as not set', () => {
    expect(responseTimestampToDate(0n)).toBeUndefined();
    expect(responseTimestampToDate(-5n)).toBeUndefined();
  });

  it('reads Unix nanoseconds (kubemq-java)', () => {
    expect(responseTimestampToDate(ms * 1_000_000n + 999n)).toEqual(at);
  });

  it('reads Unix seconds (kubemq-go)', () => {
    expect(responseTimestampToDate(ms / 1000n)).toEqual(new Date('2026-11-28T03:00:00.000Z'));
  });

  it('reads Unix milliseconds and microseconds', () => {
    expect(responseTimestampToDate(ms)).toEqual(at);
    expect(responseTimestampToDate(ms * 1000n + 7n)).toEqual(at);
  });
});

describe('executedAtToWire', () => {
  it('writes whole Unix seconds, floored (what the Go SDK reads)', () => {
    expect(executedAtToWire(new Date('2026-01-02T03:04:05.678Z'))).toBe(1_767_323_045n);
    expect(executedAtToWire(new Date('2026-01-02T03:04:05.999Z'))).toBe(1_767_323_045n);
  });

  it('round-trips to the same second', () => {
    const at = new Date('2026-11-28T03:00:00.123Z');
    expect(responseTimestampToDate(executedAtToWire(at))).toEqual(new Date('2026-11-28T03:00:00.000Z'));
  });
});
