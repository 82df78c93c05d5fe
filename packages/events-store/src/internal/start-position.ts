import { ValidationError } from '@kubemq/core';
import { dateToNanos, msToSeconds, Subscribe_EventsStoreType } from '@kubemq/core/internal';

/**
 * Where an events-store subscription starts delivering. The broker's six start positions:
 * - `newOnly`: only events stored after the subscription opened;
 * - `first`: every stored event, from sequence 1;
 * - `last`: the last stored event, then new ones;
 * - `sequence`: from sequence `sequence` (≥ 1) on; past the end it waits for new events;
 * - `time`: events stored at or after `time`;
 * - `timeDelta`: events stored in the last `deltaMs` milliseconds (a whole number of seconds:
 *   the wire counts seconds).
 *
 * @example
 * ```ts
 * const fromHundred: StartPosition = { kind: 'sequence', sequence: 100 };
 * const lastHour = StartPosition.atTimeDelta(60 * 60 * 1000);
 * ```
 */
export type StartPosition =
  | {
      /** Only events stored after the subscription opened. */
      readonly kind: 'newOnly';
    }
  | {
      /** Every stored event, from sequence 1. */
      readonly kind: 'first';
    }
  | {
      /** The last stored event, then new ones. */
      readonly kind: 'last';
    }
  | {
      /** From the event with sequence `sequence` on. */
      readonly kind: 'sequence';
      /** The channel sequence to start at: a whole number ≥ 1; past the end, it waits for new events. */
      readonly sequence: number;
    }
  | {
      /** Events stored at or after `time`. */
      readonly kind: 'time';
      /** The earliest store time to deliver (a valid Date after 1970-01-01T00:00:00Z; sent as Unix nanoseconds). */
      readonly time: Date;
    }
  | {
      /** Events stored in the last `deltaMs` milliseconds. */
      readonly kind: 'timeDelta';
      /** How far back from now, in milliseconds: positive and a whole number of seconds (the wire counts seconds). */
      readonly deltaMs: number;
    };

/**
 * Constructors for the six start positions.
 *
 * @example
 * ```ts
 * eventsStore(client).subscribe({ channel: 'audit', startAt: StartPosition.atTime(new Date('2026-11-28T00:00:00Z')) });
 * ```
 */
export const StartPosition = {
  /** Only events stored after subscribing. */
  newOnly: (): StartPosition => ({ kind: 'newOnly' }),
  /** Every stored event, from the first. */
  fromFirst: (): StartPosition => ({ kind: 'first' }),
  /** The last stored event, then new ones. */
  fromLast: (): StartPosition => ({ kind: 'last' }),
  /** From sequence `sequence` (≥ 1) on. */
  atSequence: (sequence: number): StartPosition => ({ kind: 'sequence', sequence }),
  /** Events stored at or after `time`. */
  atTime: (time: Date): StartPosition => ({ kind: 'time', time }),
  /** Events stored in the last `deltaMs` milliseconds (whole seconds). */
  atTimeDelta: (deltaMs: number): StartPosition => ({ kind: 'timeDelta', deltaMs }),
} as const;

/** The wire pair `EventsStoreTypeData` / `EventsStoreTypeValue`. */
export interface WireStartPosition {
  type: (typeof Subscribe_EventsStoreType)[keyof typeof Subscribe_EventsStoreType];
  value: bigint;
}

const FIELD = 'startAt';

function invalid(field: string, problem: string): never {
  throw new ValidationError({ message: `invalid ${field}: ${problem}`, operation: 'eventsStore.subscribe', field });
}

/**
 * Validates a start position and converts it to wire units: sequences as they are, times as Unix
 * **nanoseconds**, deltas as whole **seconds**. Every value must be > 0, as the broker requires
 * (`Error 112/113/114`), and is checked here so nothing is sent.
 */
export function toWireStartPosition(start: unknown): WireStartPosition {
  if (typeof start !== 'object' || start === null) invalid(FIELD, 'must be a start position object (see StartPosition)');
  const s = start as Record<string, unknown>;
  switch (s['kind']) {
    case 'newOnly':
      return { type: Subscribe_EventsStoreType.StartNewOnly, value: 0n };
    case 'first':
      return { type: Subscribe_EventsStoreType.StartFromFirst, value: 0n };
    case 'last':
      return { type: Subscribe_EventsStoreType.StartFromLast, value: 0n };
    case 'sequence': {
      const n = s['sequence'];
      if (typeof n !== 'number' || !Number.isFinite(n)) invalid(`${FIELD}.sequence`, `must be a number (got ${describe(n)})`);
      if (!Number.isSafeInteger(n)) invalid(`${FIELD}.sequence`, `must be a whole number (got ${n})`);
      if (n < 1) invalid(`${FIELD}.sequence`, `must be at least 1: sequences start at 1 (got ${n})`);
      return { type: Subscribe_EventsStoreType.StartAtSequence, value: BigInt(n) };
    }
    case 'time': {
      const time = s['time'];
      if (!(time instanceof Date)) invalid(`${FIELD}.time`, `must be a Date (got ${describe(time)})`);
      if (Number.isNaN(time.getTime())) invalid(`${FIELD}.time`, 'is an Invalid Date');
      const ns = dateToNanos(time, `${FIELD}.time`);
      if (ns <= 0n) invalid(`${FIELD}.time`, `must be after 1970-01-01T00:00:00Z (got ${time.toISOString()})`);
      return { type: Subscribe_EventsStoreType.StartAtTime, value: ns };
    }
    case 'timeDelta': {
      const ms = s['deltaMs'];
      if (typeof ms !== 'number' || !Number.isFinite(ms)) invalid(`${FIELD}.deltaMs`, `must be a number of milliseconds (got ${describe(ms)})`);
      if (ms <= 0) invalid(`${FIELD}.deltaMs`, `must be positive (got ${ms})`);
      let seconds: number;
      try {
        seconds = msToSeconds(ms, `${FIELD}.deltaMs`);
      } catch (err) {
        if (err instanceof ValidationError) invalid(`${FIELD}.deltaMs`, err.message.replace(/^invalid [^:]+: /, ''));
        throw err;
      }
      return { type: Subscribe_EventsStoreType.StartAtTimeDelta, value: BigInt(seconds) };
    }
    default:
      return invalid(
        `${FIELD}.kind`,
        `must be one of 'newOnly', 'first', 'last', 'sequence', 'time', 'timeDelta' (got ${describe(s['kind'])})`,
      );
  }
}

/**
 * Where to re-open after a break, so the subscriber sees no gap and no repeat:
 * - after any delivery: at last seen sequence + 1;
 * - nothing delivered yet: `last` on a channel that had nothing to deliver becomes `first` (whatever
 *   is stored now arrived after the subscription opened); `newOnly` becomes "stored at or after the
 *   moment it first opened" and `timeDelta` the absolute time it stood for then; `first`,
 *   `sequence` and `time` stay as they were.
 */
export function resumePosition(
  initial: WireStartPosition,
  lastSequence: number,
  firstOpenedAt: Date,
): WireStartPosition {
  if (lastSequence > 0) return { type: Subscribe_EventsStoreType.StartAtSequence, value: BigInt(lastSequence + 1) };
  switch (initial.type) {
    case Subscribe_EventsStoreType.StartFromLast:
      return { type: Subscribe_EventsStoreType.StartFromFirst, value: 0n };
    case Subscribe_EventsStoreType.StartNewOnly:
      return { type: Subscribe_EventsStoreType.StartAtTime, value: dateToNanos(firstOpenedAt) };
    case Subscribe_EventsStoreType.StartAtTimeDelta: {
      const from = firstOpenedAt.getTime() - Number(initial.value) * 1000;
      return { type: Subscribe_EventsStoreType.StartAtTime, value: BigInt(Math.max(from, 1)) * 1_000_000n };
    }
    default:
      return initial;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) return 'a Date';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value;
}
