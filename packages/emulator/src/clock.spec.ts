import { ManualClock, systemClock } from './clock.js';

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
