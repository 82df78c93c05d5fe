import { capabilitiesFor } from '../capabilities.js';
import { itSkipBecause, itWhen } from './it-when.js';
import { SHARED_BROKER_ENV, sharedBroker } from './shared-broker.js';

const emulator = { kind: 'emulator' as const, capabilities: capabilitiesFor('emulator', { queryCache: true }) };
const logs: string[] = [];
const spy = jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));

// These register real tests: the gated-out ones must show as skipped in jest's counts.
let ran = 0;
itWhen('queryCache', emulator)('runs when the capability is there', () => {
  ran++;
});
itWhen('auth', emulator)('is skipped when it is not', () => {
  throw new Error('must not run');
});
itSkipBecause('no broker shows the usage report')('is skipped with a reason', () => {
  throw new Error('must not run');
});
spy.mockRestore();

describe('itWhen', () => {
  it('ran the enabled test and printed each skip reason once', () => {
    expect(ran).toBe(1);
    expect(logs).toEqual([
      "skipped: is skipped when it is not (the emulator broker was not started with 'auth')",
      'skipped: is skipped with a reason (no broker shows the usage report)',
    ]);
  });

  it('reads the shared broker by default', () => {
    const saved = process.env[SHARED_BROKER_ENV];
    process.env[SHARED_BROKER_ENV] = JSON.stringify({ address: 'a:1', ...emulator });
    try {
      expect(sharedBroker().address).toBe('a:1');
      expect(typeof itWhen('queryCache')).toBe('function');
    } finally {
      if (saved === undefined) delete process.env[SHARED_BROKER_ENV];
      else process.env[SHARED_BROKER_ENV] = saved;
    }
  });

  it('sharedBroker explains how to wire globalSetup when there is none', () => {
    const saved = process.env[SHARED_BROKER_ENV];
    delete process.env[SHARED_BROKER_ENV];
    try {
      expect(() => sharedBroker()).toThrow(/globalSetup/);
    } finally {
      if (saved !== undefined) process.env[SHARED_BROKER_ENV] = saved;
    }
  });
});
