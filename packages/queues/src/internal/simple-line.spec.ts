import { TimeoutError } from '@kubemq/core';
import { SimpleLine } from './simple-line.js';

/** A send that records when it started and ends when told. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const done = new Promise<void>((resolve) => (open = resolve));
  return {
    send: async (waitedMs: number) => {
      log.push(`${name} sent`);
      await done;
      return { name, waitedMs };
    },
    open: () => open(),
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
const bound = { operation: 'queues.receive' };

describe('SimpleLine', () => {
  it("sends one queue's calls one at a time, in order, and another queue's at once", async () => {
    const line = new SimpleLine();
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const c = gate(log, 'c');
    const first = line.run('q', bound, a.send);
    const second = line.run('q', bound, b.send);
    void line.run('other', bound, c.send);
    await flush();
    expect(log).toEqual(['a sent', 'c sent']);
    a.open();
    await expect(first).resolves.toMatchObject({ name: 'a', waitedMs: 0 });
    await flush();
    expect(log).toEqual(['a sent', 'c sent', 'b sent']);
    b.open();
    c.open();
    expect((await second).waitedMs).toBeGreaterThanOrEqual(0);
  });

  it('a call that runs out of time in line is never sent, and the one behind it still waits for the one at the broker', async () => {
    const line = new SimpleLine();
    const log: string[] = [];
    const a = gate(log, 'a');
    const first = line.run('q', bound, a.send);
    const late = line.run('q', { ...bound, timeoutMs: 20 }, gate(log, 'late').send);
    const third = gate(log, 'third');
    const after = line.run('q', bound, third.send);
    const err = await late.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: 'TIMEOUT', channel: 'q', timeoutMs: 20, sent: false });
    expect((err as Error).message).toMatch(/^queues\.receive was not sent: .* within 20 ms$/);
    await flush();
    expect(log).toEqual(['a sent']); // not 'late', and not 'third' while 'a' is still out
    a.open();
    await first;
    await flush();
    expect(log).toEqual(['a sent', 'third sent']);
    third.open();
    await after;
  });

  it('an abort in line fails the call unsent', async () => {
    const line = new SimpleLine();
    const log: string[] = [];
    const a = gate(log, 'a');
    const first = line.run('q', bound, a.send);
    const ac = new AbortController();
    const aborted = line.run('q', { ...bound, signal: ac.signal }, gate(log, 'aborted').send);
    ac.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'CANCELLED' });
    a.open();
    await first;
    await flush();
    expect(log).toEqual(['a sent']);
  });

  it("a failed call frees the line like any other, and tells the next how long it waited", async () => {
    const line = new SimpleLine();
    const failing = line.run('q', bound, async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      throw new Error('refused');
    });
    const next = line.run('q', bound, async (waitedMs) => waitedMs);
    await expect(failing).rejects.toThrow('refused');
    expect(await next).toBeGreaterThanOrEqual(25);
  });
});
