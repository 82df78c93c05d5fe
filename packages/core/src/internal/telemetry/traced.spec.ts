import { Subject } from 'rxjs';
import type { Instrumentation, MessagingOperation } from '../../telemetry/telemetry.js';
import { traced, tracedAfter, tracedDeliveries } from './traced.js';

/** A fake Instrumentation that records what happens, in order. */
function recorder() {
  const log: string[] = [];
  let active: string | undefined;
  let n = 0;
  const instrumentation: Instrumentation = {
    start(op: MessagingOperation) {
      const id = `${op.type}:${op.channel}#${++n}`;
      log.push(`start ${id}`);
      return {
        run: <R>(fn: () => R): R => {
          const previous = active;
          active = id;
          try {
            return fn();
          } finally {
            active = previous;
          }
        },
        end: (error?: unknown) => log.push(`end ${id}${error === undefined ? '' : ` error=${(error as Error).message}`}`),
      };
    },
    reconnected: () => undefined,
    retried: () => undefined,
  };
  return { instrumentation, log, active: () => active };
}

const op = (channel: string): MessagingOperation => ({ pattern: 'events', type: 'send', name: 'send', channel });

describe('traced', () => {
  it('without telemetry runs straight through and never builds the description', async () => {
    const describe = jest.fn(() => op('a'));
    await expect(traced(undefined, describe, async () => 7)).resolves.toBe(7);
    expect(describe).not.toHaveBeenCalled();
  });

  it('runs inside the span and ends it with the outcome', async () => {
    const r = recorder();
    let during: string | undefined;
    await expect(
      traced(r.instrumentation, () => op('a'), async () => {
        during = r.active();
        return 'ok';
      }),
    ).resolves.toBe('ok');
    expect(during).toBe('send:a#1');
    await expect(traced(r.instrumentation, () => op('b'), () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(r.log).toEqual(['start send:a#1', 'end send:a#1', 'start send:b#2', 'end send:b#2 error=refused']);
  });

  it('ends the span when run throws synchronously', () => {
    const r = recorder();
    expect(() =>
      traced(r.instrumentation, () => op('c'), () => {
        throw new Error('sync');
      }),
    ).toThrow('sync');
    expect(r.log).toEqual(['start send:c#1', 'end send:c#1 error=sync']);
  });
});

describe('tracedDeliveries', () => {
  it('is the identity without telemetry', () => {
    const source = new Subject<number>();
    const observable = source.asObservable();
    expect(tracedDeliveries<number>(undefined, () => op('x'))(observable)).toBe(observable);
  });

  it('delivers each value inside its own process span and passes errors and completion on', () => {
    const r = recorder();
    const source = new Subject<string>();
    const seen: string[] = [];
    let completed = false;
    source
      .pipe(tracedDeliveries(r.instrumentation, (v) => ({ pattern: 'events', type: 'process', name: 'process', channel: v })))
      .subscribe({ next: (v) => seen.push(`${v} in ${r.active()}`), complete: () => (completed = true) });
    source.next('a');
    source.next('b');
    source.complete();
    expect(seen).toEqual(['a in process:a#1', 'b in process:b#2']);
    expect(r.log).toEqual(['start process:a#1', 'end process:a#1', 'start process:b#2', 'end process:b#2']);
    expect(completed).toBe(true);

    const failing = new Subject<string>();
    const errors: unknown[] = [];
    failing.pipe(tracedDeliveries(r.instrumentation, () => op('y'))).subscribe({ error: (e) => errors.push(e) });
    failing.error(new Error('broken'));
    expect(errors).toEqual([new Error('broken')]);
  });
});

describe('tracedAfter', () => {
  it('describes the operation from its result, with the start time from before it ran', async () => {
    const started: MessagingOperation[] = [];
    const ended: unknown[] = [];
    const instrumentation: Instrumentation = {
      start: (o) => (started.push(o), { run: (fn) => fn(), end: (e?: unknown) => ended.push(e) }),
      reconnected: () => undefined,
      retried: () => undefined,
    };
    const before = Date.now();
    const result = await tracedAfter(instrumentation, async () => [1, 2, 3], (r) => ({ pattern: 'queues', type: 'receive', name: 'poll', channel: 'q', messageCount: r?.length ?? 0 }));
    expect(result).toEqual([1, 2, 3]);
    await expect(
      tracedAfter(instrumentation, () => Promise.reject(new Error('down')), (r) => ({ pattern: 'queues', type: 'receive', name: 'poll', channel: 'q', messageCount: r === undefined ? -1 : 0 })),
    ).rejects.toThrow('down');
    expect(started.map((o) => o.messageCount)).toEqual([3, -1]);
    const after = Date.now();
    expect(started.every((o) => o.startedAt instanceof Date && o.startedAt.getTime() >= before && o.startedAt.getTime() <= after)).toBe(true);
    expect(ended).toEqual([undefined, new Error('down')]);
  });

  it('without telemetry only runs', async () => {
    const describe = jest.fn();
    await expect(tracedAfter(undefined, async () => 'x', describe)).resolves.toBe('x');
    expect(describe).not.toHaveBeenCalled();
  });
});
