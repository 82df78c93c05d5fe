import type { ClientInternals } from '@kubemq/core/internal';
import type { PolledQueueMessage } from '../../types.js';
import { acquireProcessedMemory, ProcessedMemory } from './processed.js';

const msg = (sequence: number, timestampNanos = 1_000n, id = `id-${sequence}`) => ({ sequence, timestampNanos, id }) as PolledQueueMessage;

describe('ProcessedMemory', () => {
  it('knows a stored message again by sequence, store time and id', () => {
    const memory = new ProcessedMemory();
    expect(memory.claim(msg(1))).toBe('mine');
    memory.handled(msg(1));
    expect(memory.claim(msg(1))).toBe('handled');
    expect(memory.has(msg(1))).toBe(true);
    expect(memory.has(msg(2))).toBe(false);
    expect(memory.has(msg(1, 2_000n))).toBe(false); // a store that started over reuses sequences
    expect(memory.has(msg(1, 1_000n, 'other'))).toBe(false);
  });

  it('makes a copy of a message still being handled wait for that handler, and never calls it handled before', async () => {
    const memory = new ProcessedMemory();
    expect(memory.claim(msg(1))).toBe('mine');
    const waiting = memory.claim(msg(1));
    expect(waiting).toBeInstanceOf(Promise);
    expect(memory.has(msg(1))).toBe(false);
    memory.handled(msg(1));
    await waiting;
    expect(memory.claim(msg(1))).toBe('handled');
  });

  it('gives a claim back when the handler failed, and a waiting copy takes it', async () => {
    const memory = new ProcessedMemory();
    memory.claim(msg(1));
    const waiting = memory.claim(msg(1));
    memory.release(msg(1));
    await waiting;
    expect(memory.claim(msg(1))).toBe('mine');
  });

  it('keeps at most its capacity, forgetting the oldest first and waking whoever waited for it', async () => {
    const memory = new ProcessedMemory(3);
    memory.claim(msg(1));
    const waiting = memory.claim(msg(1));
    for (let seq = 2; seq <= 5; seq++) {
      memory.claim(msg(seq));
      memory.handled(msg(seq));
    }
    expect(memory.size).toBe(3);
    expect([1, 2, 3, 4, 5].map((seq) => memory.has(msg(seq)))).toEqual([false, false, true, true, true]);
    await waiting;
    expect(memory.claim(msg(1))).toBe('mine');
  });

  it('is shared per client and queue while consumers hold it, and goes with the last one', () => {
    const client = {} as ClientInternals;
    const a = acquireProcessedMemory(client, 'q');
    const b = acquireProcessedMemory(client, 'q');
    expect(b.memory).toBe(a.memory);
    expect(acquireProcessedMemory(client, 'other').memory).not.toBe(a.memory);
    expect(acquireProcessedMemory({} as ClientInternals, 'q').memory).not.toBe(a.memory);
    a.release();
    a.release(); // idempotent
    expect(acquireProcessedMemory(client, 'q').memory).toBe(b.memory);
    b.release();
  });

  it('starts over once every holder has released it', () => {
    const client = {} as ClientInternals;
    const a = acquireProcessedMemory(client, 'q');
    a.memory.claim(msg(1));
    a.release();
    expect(acquireProcessedMemory(client, 'q').memory.has(msg(1))).toBe(false);
  });
});
