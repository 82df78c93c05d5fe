import { eventually, probeUntil } from './eventually.js';

describe('eventually', () => {
  it('returns the value once the check stops throwing', async () => {
    let calls = 0;
    const value = await eventually(
      () => {
        calls++;
        if (calls < 3) throw new Error('not yet');
        return 'done';
      },
      { intervalMs: 5 },
    );
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });

  it('awaits async checks', async () => {
    let calls = 0;
    await expect(eventually(async () => ++calls >= 2 || Promise.reject(new Error('no')), { intervalMs: 5 })).resolves.toBe(true);
  });

  it('throws the last error with how long it tried', async () => {
    let calls = 0;
    await expect(
      eventually(
        () => {
          throw new Error(`attempt ${++calls}`);
        },
        { timeoutMs: 60, intervalMs: 10 },
      ),
    ).rejects.toThrow(/eventually: still failing after 60 ms \(\d+ attempts\): attempt \d+/);
    expect(calls).toBeGreaterThan(1);
  });

  it('rejects bad options', async () => {
    await expect(eventually(() => 1, { timeoutMs: 0 })).rejects.toThrow('timeoutMs');
    await expect(eventually(() => 1, { intervalMs: -1 })).rejects.toThrow('intervalMs');
  });
});

describe('probeUntil', () => {
  it('sends probes until one is received', async () => {
    let probes = 0;
    let received = false;
    const sent = await probeUntil(
      () => {
        probes++;
        if (probes === 3) setTimeout(() => (received = true), 2);
      },
      () => received,
      { intervalMs: 20 },
    );
    expect(sent).toBe(3);
    expect(probes).toBe(3);
  });

  it('sends nothing when already received', async () => {
    let probes = 0;
    expect(await probeUntil(() => probes++, () => true)).toBe(0);
    expect(probes).toBe(0);
  });

  it('fails after the timeout', async () => {
    await expect(probeUntil(() => undefined, () => false, { timeoutMs: 50, intervalMs: 10 })).rejects.toThrow(
      /probeUntil: no probe was received within 50 ms \(\d+ sent\)/,
    );
  });
});
