import fc from 'fast-check';
import { computeBackoff, DEFAULT_RECONNECT_POLICY, type ReconnectPolicy } from './backoff.js';
import { BoundedBuffer } from './bounded-buffer.js';
import { KubemqError } from '../errors/kubemq-error.js';

const policy: ReconnectPolicy = { initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, maxAttempts: 5 };

describe('computeBackoff', () => {
  it('grows the cap exponentially up to the max (random → just below 1)', () => {
    const top = () => 0.999999;
    expect([0, 1, 2, 3, 4, 10].map((a) => computeBackoff(policy, a, top))).toEqual([99, 199, 399, 799, 999, 999]);
  });
  it('is full jitter: random 0 gives 0, 0.5 gives half the cap', () => {
    expect(computeBackoff(policy, 3, () => 0)).toBe(0);
    expect(computeBackoff(policy, 2, () => 0.5)).toBe(200);
  });
  it('property: always within [0, min(max, initial × multiplier^attempt))', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const delay = computeBackoff(DEFAULT_RECONNECT_POLICY, attempt, () => r);
        const cap = Math.min(DEFAULT_RECONNECT_POLICY.maxDelayMs, DEFAULT_RECONNECT_POLICY.initialDelayMs * 2 ** attempt);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(cap);
        expect(Number.isInteger(delay)).toBe(true);
      }),
    );
  });
});

describe('BoundedBuffer', () => {
  it('is a FIFO up to its capacity, then throws BUFFER_FULL naming the operation', () => {
    const buffer = new BoundedBuffer<number>(2);
    buffer.push(1);
    buffer.push(2);
    let caught: unknown;
    try {
      buffer.push(3, { operation: 'events.send', channel: 'c' });
    } catch (err) {
      caught = err;
    }
    expect(KubemqError.isKubemqError(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 'BUFFER_FULL', operation: 'events.send', channel: 'c' });
    expect(buffer.size).toBe(2);
    expect(buffer.shift()).toBe(1);
    buffer.push(3);
    expect(buffer.clear()).toEqual([2, 3]);
    expect(buffer.size).toBe(0);
    expect(buffer.shift()).toBeUndefined();
  });
  it('frees a slot when a waiting item is removed', () => {
    const buffer = new BoundedBuffer<string>(1);
    buffer.push('a');
    expect(buffer.remove('b')).toBe(false);
    expect(buffer.remove('a')).toBe(true);
    buffer.push('c');
    expect(buffer.size).toBe(1);
  });
  it('capacity 0 takes nothing', () => {
    expect(() => new BoundedBuffer<number>(0).push(1)).toThrow(/calls already wait for the connection \(maxPendingCalls\)/);
  });
});
