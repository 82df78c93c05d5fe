import { validationField } from '@kubemq/test-fakes';
import { StartPosition } from './start-position.js';
import { elapsedSince, resumePosition, toWireStartPosition } from './wire-start-position.js';

describe('toWireStartPosition', () => {
  it('maps the six positions to the wire types 1..6 (StartNewOnly … StartAtTimeDelta)', () => {
    expect(toWireStartPosition(StartPosition.newOnly())).toEqual({ type: 1, value: 0n });
    expect(toWireStartPosition(StartPosition.fromFirst())).toEqual({ type: 2, value: 0n });
    expect(toWireStartPosition(StartPosition.fromLast())).toEqual({ type: 3, value: 0n });
    expect(toWireStartPosition(StartPosition.atSequence(42))).toEqual({ type: 4, value: 42n });
    expect(toWireStartPosition({ kind: 'atTime', time: new Date(1) })).toEqual({ type: 5, value: 1_000_000n });
    expect(toWireStartPosition({ kind: 'atTimeDelta', deltaSeconds: 60 })).toEqual({ type: 6, value: 60n });
    expect(toWireStartPosition({ kind: 'atTimeDelta', deltaSeconds: 9_223_372_036 })).toEqual({ type: 6, value: 9_223_372_036n });
    expect(toWireStartPosition({ kind: 'atTime', time: new Date('2262-04-11T00:00:00Z') }).value).toBe(9_223_286_400_000_000_000n);
  });

  it('names each kind after its constructor', () => {
    expect(StartPosition.newOnly()).toEqual({ kind: 'newOnly' });
    expect(StartPosition.fromFirst()).toEqual({ kind: 'fromFirst' });
    expect(StartPosition.fromLast()).toEqual({ kind: 'fromLast' });
    expect(StartPosition.atSequence(7)).toEqual({ kind: 'atSequence', sequence: 7 });
    const time = new Date(5);
    expect(StartPosition.atTime(time)).toEqual({ kind: 'atTime', time });
    expect(StartPosition.atTimeDelta(90)).toEqual({ kind: 'atTimeDelta', deltaSeconds: 90 });
  });

  it('sends times as Unix nanoseconds, above 2^53 for current dates, without loss', () => {
    const time = new Date('2026-11-28T02:43:36.123Z');
    const wire = toWireStartPosition(StartPosition.atTime(time));
    expect(wire.value).toBe(BigInt(time.getTime()) * 1_000_000n);
    expect(wire.value > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(wire.value % 1_000_000n).toBe(0n);
  });

  it('sends deltas as the whole seconds they are given', () => {
    expect(toWireStartPosition(StartPosition.atTimeDelta(1)).value).toBe(1n);
    expect(toWireStartPosition(StartPosition.atTimeDelta(3600)).value).toBe(3600n);
  });

  it.each<[string, unknown, string]>([
    ['null', null, 'startAt'],
    ['a string', 'first', 'startAt'],
    ['an unknown kind', { kind: 'middle' }, 'startAt.kind'],
    ['no kind', {}, 'startAt.kind'],
    ['sequence 0', { kind: 'atSequence', sequence: 0 }, 'startAt.sequence'],
    ['a negative sequence', { kind: 'atSequence', sequence: -3 }, 'startAt.sequence'],
    ['a fractional sequence', { kind: 'atSequence', sequence: 1.5 }, 'startAt.sequence'],
    ['a NaN sequence', { kind: 'atSequence', sequence: Number.NaN }, 'startAt.sequence'],
    ['a string sequence', { kind: 'atSequence', sequence: '3' }, 'startAt.sequence'],
    ['a bigint sequence', { kind: 'atSequence', sequence: 3n }, 'startAt.sequence'],
    ['an Invalid Date', { kind: 'atTime', time: new Date('nope') }, 'startAt.time'],
    ['a number instead of a Date', { kind: 'atTime', time: Date.now() }, 'startAt.time'],
    ['a date string', { kind: 'atTime', time: '2026-01-01' }, 'startAt.time'],
    ['the epoch', { kind: 'atTime', time: new Date(0) }, 'startAt.time'],
    ['a time before the epoch', { kind: 'atTime', time: new Date(-5000) }, 'startAt.time'],
    ['a time past int64 nanoseconds (2262)', { kind: 'atTime', time: new Date('3000-01-01T00:00:00Z') }, 'startAt.time'],
    ['an old kind name', { kind: 'first' }, 'startAt.kind'],
    ['a delta past int64 nanoseconds', { kind: 'atTimeDelta', deltaSeconds: 9_223_372_037 }, 'startAt.deltaSeconds'],
    ['delta 0', { kind: 'atTimeDelta', deltaSeconds: 0 }, 'startAt.deltaSeconds'],
    ['a negative delta', { kind: 'atTimeDelta', deltaSeconds: -1 }, 'startAt.deltaSeconds'],
    ['a delta that is not whole seconds', { kind: 'atTimeDelta', deltaSeconds: 1.5 }, 'startAt.deltaSeconds'],
    ['a sub-second delta', { kind: 'atTimeDelta', deltaSeconds: 0.5 }, 'startAt.deltaSeconds'],
    ['a NaN delta', { kind: 'atTimeDelta', deltaSeconds: Number.NaN }, 'startAt.deltaSeconds'],
    ['an infinite delta', { kind: 'atTimeDelta', deltaSeconds: Number.POSITIVE_INFINITY }, 'startAt.deltaSeconds'],
    ['a string delta', { kind: 'atTimeDelta', deltaSeconds: '60' }, 'startAt.deltaSeconds'],
    ['the delta in the old field', { kind: 'atTimeDelta', deltaMs: 60_000 }, 'startAt.deltaSeconds'],
  ])('rejects %s naming the field', (_name, start, field) => {
    expect(validationField(() => toWireStartPosition(start))).toBe(field);
  });
});

describe('resumePosition', () => {
  it('resumes at the last delivered sequence + 1 whatever the start was', () => {
    for (const start of [StartPosition.newOnly(), StartPosition.fromFirst(), StartPosition.atTimeDelta(5)]) {
      expect(resumePosition(toWireStartPosition(start), 41, 2_500)).toEqual({ type: 4, value: 42n });
    }
  });

  it('with nothing delivered: first stays first, sequence and time stay', () => {
    for (const start of [StartPosition.fromFirst(), StartPosition.atSequence(7), StartPosition.atTime(new Date(5))]) {
      const wire = toWireStartPosition(start);
      expect(resumePosition(wire, 0, 2_500)).toEqual(wire);
    }
  });

  it('with nothing delivered: newOnly and last become "since it first opened", as a delta in whole seconds rounded up (no client clock; last never replays the channel)', () => {
    for (const start of [StartPosition.newOnly(), StartPosition.fromLast()]) {
      expect(resumePosition(toWireStartPosition(start), 0, 2_500)).toEqual({ type: 6, value: 3n });
      expect(resumePosition(toWireStartPosition(start), 0, 3)).toEqual({ type: 6, value: 1n });
    }
  });

  it('with nothing delivered: a delta grows by the time since it first opened', () => {
    expect(resumePosition(toWireStartPosition(StartPosition.atTimeDelta(60)), 0, 2_500)).toEqual({ type: 6, value: 63n });
  });
});

describe('elapsedSince', () => {
  const opened = { monotonicMs: 1_000, wallMs: 1_795_000_000_000 };
  const MIN = 60_000;

  it('is the monotonic figure while both clocks agree', () => {
    expect(elapsedSince(opened, { monotonicMs: 1_000 + 10 * MIN, wallMs: opened.wallMs + 10 * MIN })).toBe(10 * MIN);
  });

  it('takes the wall clock when the monotonic one stood still through a suspend: the sleep counts', () => {
    // open 10 min, then 2 h asleep: the monotonic clock saw only the 10 min
    const ago = elapsedSince(opened, { monotonicMs: 1_000 + 10 * MIN, wallMs: opened.wallMs + 130 * MIN });
    expect(ago).toBe(130 * MIN);
    expect(resumePosition(toWireStartPosition(StartPosition.newOnly()), 0, ago)).toEqual({ type: 6, value: 7_800n });
  });

  it('falls back to the monotonic figure when the wall clock was set back', () => {
    expect(elapsedSince(opened, { monotonicMs: 1_000 + 10 * MIN, wallMs: opened.wallMs - 60 * MIN })).toBe(10 * MIN);
  });

  it('reads both clocks when not given a reading', () => {
    const now = { monotonicMs: performance.now(), wallMs: Date.now() };
    const ago = elapsedSince({ monotonicMs: now.monotonicMs - 5_000, wallMs: now.wallMs - 5_000 });
    expect(ago).toBeGreaterThanOrEqual(5_000);
    expect(ago).toBeLessThan(6_000);
  });
});
