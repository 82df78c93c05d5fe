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
  it('calls that arrive together on a queue with no client yet run side by side', async () => {
    const clock = new ManualClock();
    const lanes = new ReceiverLanes(clock, 10);
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
    const lanes = new ReceiverLanes(clock, 10);
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

  it('keeps a queue\'s client: calls take turns however long the queue was idle', async () => {
    const clock = new ManualClock();
    const lanes = new ReceiverLanes(clock, 10);
    const log: string[] = [];
    await lanes.run('q', async () => undefined);
    clock.advance(10);
    clock.advance(24 * 3600_000);
    const held = gate(log, 'held');
    void lanes.run('q', held.task);
    const next = gate(log, 'next');
    void lanes.run('q', next.task);
    await flush();
    expect(log).toEqual(['held start']);
    held.open();
    await flush();
    expect(log).toEqual(['held start', 'held end', 'next start']);
    next.open();
    lanes.close();
  });

  it('schedules nothing once closed', async () => {
    const clock = new ManualClock();
    const lanes = new ReceiverLanes(clock, 10);
    lanes.close();
    await lanes.run('q', async () => undefined);
    expect(clock.pendingTimers).toBe(0);
  });
});
