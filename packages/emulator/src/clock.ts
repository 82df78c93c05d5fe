// One injectable clock drives every delay, expiration and timeout in the emulator,
// so engine tests advance time by hand instead of sleeping.

/** An opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = object;

/**
 * The time source of the emulator: every delay, expiration, visibility and timeout reads it,
 * so tests can pass a {@link ManualClock} through {@link EmulatorStartOptions.clock}.
 */
export interface Clock {
  /** Unix time in milliseconds. */
  nowMs(): number;
  /** Unix time in nanoseconds: increasing between reads unless the wall clock is set back. */
  nowNs(): bigint;
  /** Runs `fn` once after `ms` milliseconds (negative counts as 0); returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a pending timer; a handle that already fired or was cleared is ignored. */
  clearTimeout(h: TimerHandle): void;
}

const NS_PER_MS = 1_000_000n;

/** Where {@link createSystemClock} reads time; tests pass their own. */
export interface TimeSources {
  /** Wall time in ms (`Date.now`). */
  readonly wallMs: () => number;
  /** A monotonic nanosecond counter (`process.hrtime.bigint`). */
  readonly monotonicNs: () => bigint;
}

const nodeTime: TimeSources = { wallMs: () => Date.now(), monotonicNs: () => process.hrtime.bigint() };

/** How far the monotonic reading may stray from the wall clock before it is re-anchored. */
const MAX_DRIFT_NS = 2n * NS_PER_MS;

/**
 * The wall clock, in nanoseconds as the server stamps them: the monotonic counter gives
 * sub-millisecond steps, anchored to `Date.now()`. The anchor is checked on every read and
 * moved when the wall clock was stepped (an NTP sync on a fresh machine, a suspended VM), so
 * the stamps follow the wall clock as the server's do, and a client comparing them with its
 * own clock is not misled by the broker's uptime.
 */
export function createSystemClock(time: TimeSources = nodeTime): Clock {
  let anchor = BigInt(time.wallMs()) * NS_PER_MS - time.monotonicNs();
  return {
    nowMs: () => time.wallMs(),
    nowNs: () => {
      const mono = time.monotonicNs();
      const wall = BigInt(time.wallMs()) * NS_PER_MS;
      const drift = anchor + mono - wall;
      if (drift > MAX_DRIFT_NS || drift < -MAX_DRIFT_NS) anchor = wall - mono;
      return anchor + mono;
    },
    setTimeout: (fn, ms) => setTimeout(fn, Math.max(0, ms)),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
}

/** The default clock: wall time (`Date.now()`; nanoseconds from `process.hrtime` anchored to it) and Node's timers. */
export const systemClock: Clock = createSystemClock();

interface ManualTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/** A clock for tests: time moves only when {@link ManualClock.advance} is called. */
export class ManualClock implements Clock {
  private now: number;
  private nextId = 1;
  private readonly timers = new Map<number, ManualTimer>();

  constructor(startMs = 1_700_000_000_000) {
    this.now = startMs;
  }

  /** The manual time, in ms since the epoch: `startMs` plus every {@link ManualClock.advance}. */
  nowMs(): number {
    return this.now;
  }

  /** {@link ManualClock.nowMs} in nanoseconds. */
  nowNs(): bigint {
    return BigInt(this.now) * NS_PER_MS;
  }

  /** Schedules `fn` at now + `ms` (negative counts as 0); it fires only inside {@link ManualClock.advance}. */
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: ManualTimer = { id: this.nextId++, due: this.now + Math.max(0, ms), fn };
    this.timers.set(timer.id, timer);
    return timer;
  }

  /** Cancels a pending timer; unknown or fired handles are ignored. */
  clearTimeout(h: TimerHandle): void {
    this.timers.delete((h as ManualTimer).id);
  }

  /** Number of timers still pending. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing due timers in due order (timers set while firing run too if due). */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const t of this.timers.values()) {
        if (t.due <= target && (next === undefined || t.due < next.due || (t.due === next.due && t.id < next.id))) next = t;
      }
      if (next === undefined) break;
      this.timers.delete(next.id);
      this.now = Math.max(this.now, next.due);
      next.fn();
    }
    this.now = target;
  }
}
