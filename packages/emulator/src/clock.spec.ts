import { createSystemClock, ManualClock, systemClock } from './clock.js';

describe('ManualClock', () => {
  it('fires due timers in order when advanced, and not cancelled ones', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 20);
    clock.setTimeout(() => fired.push('a'), 10);
    const c = clock.setTimeout(() => fired.push('c'), 15);
    clock.clearTimeout(c);
    clock.advance(15);
    expect(fired).toEqual(['a']);
    expect(clock.nowMs()).toBe(1015);
    clock.advance(5);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.nowNs()).toBe(1020n * 1_000_000n);
  });

  it('runs timers set by timers when they fall due in the same advance', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.nowMs());
      clock.setTimeout(() => fired.push(clock.nowMs()), 5);
    }, 5);
    clock.advance(20);
    expect(fired).toEqual([5, 10]);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('systemClock', () => {
  it('gives Unix ns close to Date.now()', () => {
    const ms = BigInt(Date.now());
    const ns = systemClock.nowNs();
    expect(ns / 1_000_000n - ms < 50n).toBe(true);
    expect(systemClock.nowNs() >= ns).toBe(true);
  });
});

describe('createSystemClock', () => {
  /** A wall clock and a monotonic counter the test moves by hand. */
  function sources(startMs: number) {
    const t = { wall: startMs, mono: 5_000_000_000n };
    const clock = createSystemClock({ wallMs: () => t.wall, monotonicNs: () => t.mono });
    const tick = (ms: number) => {
      t.wall += ms;
      t.mono += BigInt(ms) * 1_000_000n;
    };
    return { t, clock, tick };
  }

  it('stamps sub-millisecond steps from the monotonic counter', () => {
    const { t, clock } = sources(1_800_000_000_000);
    const first = clock.nowNs();
    expect(first).toBe(1_800_000_000_000n * 1_000_000n);
    t.mono += 250_000n;
    expect(clock.nowNs()).toBe(first + 250_000n);
  });

  it('follows the wall clock when it is stepped forward, as after an NTP sync', () => {
    const { t, clock, tick } = sources(1_800_000_000_000);
    clock.nowNs();
    tick(1000);
    t.wall += 6000;
    expect(clock.nowNs()).toBe(BigInt(t.wall) * 1_000_000n);
  });

  it('follows the wall clock when it is set back', () => {
    const { t, clock, tick } = sources(1_800_000_000_000);
    tick(10_000);
    clock.nowNs();
    t.wall -= 6000;
    expect(clock.nowNs()).toBe(BigInt(t.wall) * 1_000_000n);
  });

  it('keeps the anchor while the two sources agree within a couple of milliseconds', () => {
    const { t, clock } = sources(1_800_000_000_000);
    const first = clock.nowNs();
    t.wall += 1; // Date.now() read a little later than the counter
    t.mono += 400_000n;
    expect(clock.nowNs()).toBe(first + 400_000n);
  });
});
