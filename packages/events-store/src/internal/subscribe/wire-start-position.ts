import { ValidationError } from '@kubemq/core';
import { dateToNanos, Subscribe_EventsStoreType } from '@kubemq/core/internal';

/** The wire pair `EventsStoreTypeData` / `EventsStoreTypeValue`. */
export interface WireStartPosition {
  type: (typeof Subscribe_EventsStoreType)[keyof typeof Subscribe_EventsStoreType];
  value: bigint;
}

const FIELD = 'startAt';
const MAX_INT64 = 2n ** 63n - 1n;
/** The most seconds an int64 count of nanoseconds holds (about 292 years). */
const MAX_DELTA_SECONDS = Number(MAX_INT64 / 1_000_000_000n);
const KINDS = ['newOnly', 'fromFirst', 'fromLast', 'atSequence', 'atTime', 'atTimeDelta'];

function invalid(field: string, problem: string): never {
  throw new ValidationError({ message: `invalid ${field}: ${problem}`, operation: 'eventsStore.subscribe', field });
}

/** A number, else a ValidationError naming `field`. */
function numberAt(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(field, `must be a number (got ${describe(value)})`);
  return value;
}

/**
 * Validates a start position (a {@link StartPosition} or the same as a plain object) and converts
 * it to wire units: sequences as they are, times as Unix **nanoseconds**, deltas as whole
 * **seconds**. Every value must be > 0, as the broker requires (`Error 112/113/114`), and is checked
 * here so nothing is sent.
 */
export function toWireStartPosition(start: unknown): WireStartPosition {
  if (typeof start !== 'object' || start === null) invalid(FIELD, 'must be a start position object (see StartPosition)');
  const s = start as Record<string, unknown>;
  switch (s['kind']) {
    case 'newOnly':
      return { type: Subscribe_EventsStoreType.StartNewOnly, value: 0n };
    case 'fromFirst':
      return { type: Subscribe_EventsStoreType.StartFromFirst, value: 0n };
    case 'fromLast':
      return { type: Subscribe_EventsStoreType.StartFromLast, value: 0n };
    case 'atSequence': {
      const field = `${FIELD}.sequence`;
      const sequence = numberAt(s['sequence'], field);
      if (!Number.isSafeInteger(sequence)) invalid(field, `must be a whole number (got ${sequence})`);
      if (sequence < 1) invalid(field, `must be at least 1: sequences start at 1 (got ${sequence})`);
      return { type: Subscribe_EventsStoreType.StartAtSequence, value: BigInt(sequence) };
    }
    case 'atTime': {
      const time = s['time'];
      if (!(time instanceof Date)) invalid(`${FIELD}.time`, `must be a Date (got ${describe(time)})`);
      if (Number.isNaN(time.getTime())) invalid(`${FIELD}.time`, 'is an Invalid Date');
      const ns = dateToNanos(time, `${FIELD}.time`);
      if (ns <= 0n) invalid(`${FIELD}.time`, `must be after 1970-01-01T00:00:00Z (got ${time.toISOString()})`);
      if (ns > MAX_INT64) invalid(`${FIELD}.time`, `must be before 2262-04-11: the wire counts int64 nanoseconds (got ${time.toISOString()})`);
      return { type: Subscribe_EventsStoreType.StartAtTime, value: ns };
    }
    case 'atTimeDelta': {
      const field = `${FIELD}.deltaSeconds`;
      const seconds = numberAt(s['deltaSeconds'], field);
      if (!Number.isSafeInteger(seconds)) invalid(field, `must be a whole number of seconds: the broker counts seconds (got ${seconds})`);
      if (seconds < 1) invalid(field, `must be at least 1 second (got ${seconds})`);
      // The broker turns it into int64 nanoseconds, which a larger delta overflows (a wrong start, no error).
      if (seconds > MAX_DELTA_SECONDS) invalid(field, `must be at most ${MAX_DELTA_SECONDS} seconds (got ${seconds})`);
      return { type: Subscribe_EventsStoreType.StartAtTimeDelta, value: BigInt(seconds) };
    }
    default:
      return invalid(`${FIELD}.kind`, `must be one of ${KINDS.map((k) => `'${k}'`).join(', ')} (got ${describe(s['kind'])})`);
  }
}

/**
 * Where to re-open a subscription without a group after a break, so the subscriber sees no gap
 * and no repeat (a group always re-opens at its start position: see subscribe.ts):
 * - after any delivery: at last seen sequence + 1;
 * - nothing delivered yet: `newOnly` and `fromLast` become "stored since the moment it first
 *   opened", and `atTimeDelta` the same moment minus its delta; `fromFirst`, `atSequence` and
 *   `atTime` stay as they were. (`fromLast` with nothing delivered: either the channel was empty
 *   then, or the broker never registered the subscription, as when it refuses one while starting.
 *   Nothing tells the two apart, and reading from the first would replay the whole channel in
 *   the second case.)
 *
 * That moment goes as a delta (`StartAtTimeDelta`, how long ago, `openedAgoMs` from
 * {@link elapsedSince}), never as a time of this machine's clock: the broker reads a time against
 * its own clock, so a client clock S seconds ahead would skip what was stored in those S seconds.
 * Whole seconds, rounded up: at most a second of events from before the first open comes too.
 */
export function resumePosition(initial: WireStartPosition, lastSequence: number, openedAgoMs: number): WireStartPosition {
  if (lastSequence > 0) return { type: Subscribe_EventsStoreType.StartAtSequence, value: BigInt(lastSequence + 1) };
  const since = (extraSeconds: number): WireStartPosition => ({
    type: Subscribe_EventsStoreType.StartAtTimeDelta,
    value: BigInt(Math.max(1, Math.ceil(openedAgoMs / 1000) + extraSeconds)),
  });
  switch (initial.type) {
    case Subscribe_EventsStoreType.StartFromLast:
    case Subscribe_EventsStoreType.StartNewOnly:
      return since(0);
    case Subscribe_EventsStoreType.StartAtTimeDelta:
      return since(Number(initial.value));
    default:
      return initial;
  }
}

/** A moment on this process's two clocks, in ms: `performance.now()` and `Date.now()`. */
export interface ClockReading {
  monotonicMs: number;
  wallMs: number;
}

export function readClocks(): ClockReading {
  return { monotonicMs: performance.now(), wallMs: Date.now() };
}

/**
 * How long ago `then` was, in ms: the larger of the two clocks' figures. The monotonic clock stops
 * while the machine is suspended (a laptop asleep, a paused VM), so on its own it would leave out
 * what was stored during the sleep; the wall clock goes on. A difference of this machine's own
 * wall readings does not depend on how far its clock is from the broker's; one set back reads
 * less, and the monotonic figure wins; one set forward can only make the replay longer, not skip.
 */
export function elapsedSince(then: ClockReading, now: ClockReading = readClocks()): number {
  return Math.max(now.monotonicMs - then.monotonicMs, now.wallMs - then.wallMs);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Date) return 'a Date';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value;
}
