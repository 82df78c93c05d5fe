import { ValidationError } from '@kubemq/core';
import { resumePosition, StartPosition, toWireStartPosition } from './start-position.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).field;
  }
  throw new Error('expected a ValidationError');
}

describe('toWireStartPosition', () => {
  it('maps the six positions to the wire types 1..6', () => {
    expect(toWireStartPosition(StartPosition.newOnly())).toEqual({ type: 1, value: 0n });
    expect(toWireStartPosition(StartPosition.fromFirst())).toEqual({ type: 2, value: 0n });
    expect(toWireStartPosition(StartPosition.fromLast())).toEqual({ type: 3, value: 0n });
    expect(toWireStartPosition(StartPosition.atSequence(42))).toEqual({ type: 4, value: 42n });
    expect(toWireStartPosition({ kind: 'time', time: new Date(1) })).toEqual({ type: 5, value: 1_000_000n });
    expect(toWireStartPosition({ kind: 'timeDelta', deltaMs: 60_000 })).toEqual({ type: 6, value: 60n });
  });

  it('sends times as Unix nanoseconds, above 2^53 for current dates, without loss', () => {
    const time = new Date('2026-11-28T02:43:36.123Z');
    const wire = toWireStartPosition(StartPosition.atTime(time));
    expect(wire.value).toBe(BigInt(time.getTime()) * 1_000_000n);
    expect(wire.value > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(wire.value % 1_000_000n).toBe(0n);
  });

  it('sends deltas as whole seconds', () => {
    expect(toWireStartPosition(StartPosition.atTimeDelta(1000)).value).toBe(1n);
    expect(toWireStartPosition(StartPosition.atTimeDelta(3_600_000)).value).toBe(3600n);
  });

  it.each<[string, unknown, string]>([
    ['null', null, 'startAt'],
    ['a string', 'first', 'startAt'],
    ['an unknown kind', { kind: 'middle' }, 'startAt.kind'],
    ['no kind', {}, 'startAt.kind'],
    ['sequence 0', { kind: 'sequence', sequence: 0 }, 'startAt.sequence'],
    ['a negative sequence', { kind: 'sequence', sequence: -3 }, 'startAt.sequence'],
    ['a fractional sequence', { kind: 'sequence', sequence: 1.5 }, 'startAt.sequence'],
    ['a NaN sequence', { kind: 'sequence', sequence: Number.NaN }, 'startAt.sequence'],
    ['a string sequence', { kind: 'sequence', sequence: '3' }, 'startAt.sequence'],
    ['a bigint sequence', { kind: 'sequence', sequence: 3n }, 'startAt.sequence'],
    ['an Invalid Date', { kind: 'time', time: new Date('nope') }, 'startAt.time'],
    ['a number instead of a Date', { kind: 'time', time: Date.now() }, 'startAt.time'],
    ['a date string', { kind: 'time', time: '2026-01-01' }, 'startAt.time'],
    ['the epoch', { kind: 'time', time: new Date(0) }, 'startAt.time'],
    ['a time before the epoch', { kind: 'time', time: new Date(-5000) }, 'startAt.time'],
    ['delta 0', { kind: 'timeDelta', deltaMs: 0 }, 'startAt.deltaMs'],
    ['a negative delta', { kind: 'timeDelta', deltaMs: -1000 }, 'startAt.deltaMs'],
    ['a delta that is not whole seconds', { kind: 'timeDelta', deltaMs: 1500 }, 'startAt.deltaMs'],
    ['a sub-second delta', { kind: 'timeDelta', deltaMs: 999 }, 'startAt.deltaMs'],
    ['a NaN delta', { kind: 'timeDelta', deltaMs: Number.NaN }, 'startAt.deltaMs'],
    ['an infinite delta', { kind: 'timeDelta', deltaMs: Number.POSITIVE_INFINITY }, 'startAt.deltaMs'],
    ['a string delta', { kind: 'timeDelta', deltaMs: '60000' }, 'startAt.deltaMs'],
  ])('rejects %s naming the field', (_name, start, field) => {
    expect(fieldOf(() => toWireStartPosition(start))).toBe(field);
  });
});

describe('resumePosition', () => {
  const openedAt = new Date('2026-11-28T03:00:00.000Z');

  it('resumes at the last delivered sequence + 1 whatever the start was', () => {
    for (const start of [StartPosition.newOnly(), StartPosition.fromFirst(), StartPosition.atTimeDelta(5000)]) {
      expect(resumePosition(toWireStartPosition(start), 41, openedAt)).toEqual({ type: 4, value: 42n });
    }
  });

  it('with nothing delivered: first stays first, sequence and time stay', () => {
    for (const start of [StartPosition.fromFirst(), StartPosition.atSequence(7), StartPosition.atTime(new Date(5))]) {
      const wire = toWireStartPosition(start);
      expect(resumePosition(wire, 0, openedAt)).toEqual(wire);
    }
  });

  it('with nothing delivered: last becomes first (the channel was empty when it opened)', () => {
    expect(resumePosition(toWireStartPosition(StartPosition.fromLast()), 0, openedAt)).toEqual({ type: 2, value: 0n });
  });

  it('with nothing delivered: newOnly becomes the time it first opened, in ns', () => {
    expect(resumePosition(toWireStartPosition(StartPosition.newOnly()), 0, openedAt)).toEqual({
      type: 5,
      value: BigInt(openedAt.getTime()) * 1_000_000n,
    });
  });

  it('with nothing delivered: a delta becomes the absolute time it stood for', () => {
    expect(resumePosition(toWireStartPosition(StartPosition.atTimeDelta(60_000)), 0, openedAt)).toEqual({
      type: 5,
      value: BigInt(openedAt.getTime() - 60_000) * 1_000_000n,
    });
  });
});
