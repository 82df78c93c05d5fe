import { ManualClock } from '../../clock.js';
import { ReceiverLanes } from './receiver-lanes.js';

/** A task that records when it started and ends when told. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const done = new Promise<void>((resolve) => (open = resolve));
  return {
    task: async () => {
      log.push(`${name} start`);
      await done;
      log.push(`${name} end`);
      return name;
    },
    open: () => open(),
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('ReceiverLanes', () => {
  const timings = { connectMs: 10, idleMs: 120_000 };

  it('calls that arrive together on a queue with no client yet run side by side', async () => {
    const clock = new ManualClock();
    const lanes = new ReceiverLanes(clock, timings);
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    void lanes.run('q', a.task);
    void lanes.run('q', b.task);
    await flush();
    expect(log).toEqual(['a start', 'b start']);
    a.open();
    b.open();
    lanes.close();
  });

  it('once the queue has its client, calls take turns in arrival order, whatever their outcome', async () => {
    const clock = new ManualClock();
    const lanes = new ReceiverLanes(clock, timings);
    const log: string[] = [];
    const first = gate(log, 'first');
    const running = lanes.run('q', first.task);
    clock.advance(10); // connected: later calls find it
    const failing = lanes.run('q', async () => {
      log.push('failing start');
      throw new Error('refused');
    });
    const second = gate(log, 'second');
    const after = lanes.run('q', second.task);
    const other = gate(log, 'other');
    void lanes.run('elsewhere', other.task);
    await flush();
    expect(log).toEqual(['first start', 'other start']);
    first.open();
    await expect(running).resolves.toBe('first');
    await expect(failing).rejects.toThrow('refused');
    await flush();
    expect(log).toEqual(['first start', 'other start', 'first end', 'failing start', 'second start']);
    second.open();
    await expect(after).resolves.toBe('second');
    other.open();
    lanes.close();
  });

  it('drops a client idle for the longest the server keeps one; the next calls connect anew', async () => {
    const clock = new ManualClock();
    const lanes = new ReceiverLanes(clock, timings);
    const log: string[] = [];
    await lanes.run('q', async () => undefined);
    clock.advance(10);
    clock.advance(119_980); // 10 ms short of the idle time since the release
    // Still there: a second call waits for the first.
    const held = gate(log, 'held');
    void lanes.run('q', held.task);
    const next = gate(log, 'next');
    void lanes.run('q', next.task);
    await flush();
    expect(log).toEqual(['held start']);
    held.open();
    await flush();
    next.open();
    await flush();
    clock.advance(120_000);
    // Gone: two calls at once each get a client of their own again.
    log.length = 0;
    const c = gate(log, 'c');
    const d = gate(log, 'd');
    void lanes.run('q', c.task);
    void lanes.run('q', d.task);
    await flush();
    expect(log).toEqual(['c start', 'd start']);
    c.open();
    d.open();
    lanes.close();
  });
});
