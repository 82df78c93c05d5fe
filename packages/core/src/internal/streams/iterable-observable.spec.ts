import { getEventListeners } from 'node:events';
import { map, Observable, Subject } from 'rxjs';
import { KubemqError } from '../errors/kubemq-error.js';
import { IteratorOverflowError, iterableObservable, pipeIterable, type LoopPace } from './iterable-observable.js';

describe('iterableObservable', () => {
  it('yields every value in order and ends when the source completes', async () => {
    const source = iterableObservable(new Observable<number>((s) => {
      [1, 2, 3].forEach((n) => s.next(n));
      s.complete();
    }));
    const seen: number[] = [];
    for await (const n of source) seen.push(n);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('is still a plain Observable', () => {
    const seen: number[] = [];
    iterableObservable(new Observable<number>((s) => { s.next(7); s.complete(); })).subscribe((n) => seen.push(n));
    expect(seen).toEqual([7]);
  });

  it('unsubscribes from the source when the loop breaks', async () => {
    let unsubscribed = false;
    const subject = new Subject<number>();
    const source = iterableObservable(new Observable<number>((s) => {
      const sub = subject.subscribe(s);
      return () => { unsubscribed = true; sub.unsubscribe(); };
    }));
    const loop = (async () => {
      for await (const n of source) if (n === 2) break;
    })();
    subject.next(1);
    subject.next(2);
    await loop;
    expect(unsubscribed).toBe(true);
  });

  it('return() ends a next() that another task is waiting on', async () => {
    let unsubscribed = false;
    const source = iterableObservable(new Observable<number>(() => () => void (unsubscribed = true)));
    const it = source[Symbol.asyncIterator]();
    const pending = it.next(); // a worker waiting for the next value
    await expect(it.return?.()).resolves.toEqual({ value: undefined, done: true });
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    expect(unsubscribed).toBe(true);
  });

  it('several next() calls waiting at once are served in the order they were made, each with a value of its own', async () => {
    const subject = new Subject<number>();
    const it = iterableObservable(subject)[Symbol.asyncIterator]();
    const first = it.next();
    const second = it.next();
    const third = it.next();
    subject.next(1);
    subject.next(2);
    await expect(first).resolves.toEqual({ value: 1, done: false });
    await expect(second).resolves.toEqual({ value: 2, done: false });
    subject.complete();
    await expect(third).resolves.toEqual({ value: undefined, done: true });
  });

  it('return(), throw() and the source ending or failing settle every next() still waiting', async () => {
    const waitingOn = (end: (subject: Subject<number>, it: AsyncIterator<number>) => unknown) => {
      const subject = new Subject<number>();
      const it = iterableObservable(subject)[Symbol.asyncIterator]();
      const pending = [it.next(), it.next()];
      const ended = end(subject, it);
      return { pending, ended, subject };
    };
    const done = { value: undefined, done: true };

    const returned = waitingOn((_, it) => it.return?.());
    await expect(returned.ended).resolves.toEqual(done);
    await expect(Promise.all(returned.pending)).resolves.toEqual([done, done]);
    expect(returned.subject.observed).toBe(false);

    const thrown = waitingOn((_, it) => it.throw?.(new Error('stop')));
    await expect(thrown.ended).rejects.toThrow('stop');
    await expect(Promise.all(thrown.pending)).resolves.toEqual([done, done]);
    expect(thrown.subject.observed).toBe(false);

    const completed = waitingOn((subject) => subject.complete());
    await expect(Promise.all(completed.pending)).resolves.toEqual([done, done]);

    const failed = waitingOn((subject) => subject.error(new Error('broken')));
    await expect(Promise.allSettled(failed.pending)).resolves.toEqual([
      { status: 'rejected', reason: new Error('broken') },
      { status: 'rejected', reason: new Error('broken') },
    ]);
  });

  it('with a paced source, two readers waiting on one loop each get a batch: the source fetches again while one still waits', async () => {
    const fetched: number[] = [];
    const batches = (pace: LoopPace) =>
      new Observable<number>((s) => {
        void (async () => {
          for (let batch = 0; batch < 3; batch++) {
            await pace.drained();
            fetched.push(batch);
            s.next(batch);
          }
        })();
      });
    const it = iterableObservable(new Observable<number>(), { paced: batches })[Symbol.asyncIterator]();
    const [a, b] = await Promise.all([it.next(), it.next()]);
    expect([a.value, b.value]).toEqual([0, 1]);
    expect(fetched).toEqual([0, 1]);
    await it.return?.();
  });

  it('rethrows the source error after the buffered values', async () => {
    const source = iterableObservable(new Observable<number>((s) => { s.next(1); s.error(new Error('broken')); }));
    const seen: number[] = [];
    await expect((async () => { for await (const n of source) seen.push(n); })()).rejects.toThrow('broken');
    expect(seen).toEqual([1]);
  });

  it('fails with IteratorOverflowError instead of growing past bufferSize', async () => {
    const subject = new Subject<number>();
    const iterator = iterableObservable(subject, { bufferSize: 2 })[Symbol.asyncIterator]();
    subject.next(1);
    subject.next(2);
    subject.next(3);
    await expect(iterator.next()).resolves.toEqual({ value: 1, done: false });
    await expect(iterator.next()).resolves.toEqual({ value: 2, done: false });
    const overflow = await iterator.next().catch((err: unknown) => err);
    expect(overflow).toBeInstanceOf(IteratorOverflowError);
    // One error hierarchy: it is a KubemqError too, with a code and the bound that was passed.
    expect(KubemqError.isKubemqError(overflow)).toBe(true);
    expect(overflow).toMatchObject({ code: 'BUFFER_FULL', retryable: false, bufferSize: 2 });
    expect(subject.observed).toBe(false);
  });

  it('with a continuing source, pauses past bufferSize and re-opens after the last value it holds, once half is read', async () => {
    // A replayable source of 1..100: each subscription continues after the last value delivered.
    let next = 1;
    let opens = 0;
    const cursor = () =>
      new Observable<number>((s) => {
        opens++;
        // Faster than the loop below reads.
        const timer = setInterval(() => {
          for (let burst = 0; burst < 5; burst++) {
            if (s.closed) return; // unsubscribed: nothing more is delivered
            if (next > 100) return s.complete();
            s.next(next++);
          }
        }, 0);
        return () => clearInterval(timer);
      });
    const source = iterableObservable(cursor(), { bufferSize: 10, continuing: cursor });
    const seen: number[] = [];
    for await (const n of source) {
      seen.push(n);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(opens).toBeGreaterThan(5);
  });

  it('with a paced source, fetches the next batch only once the loop has read the last one and asks for more', async () => {
    // A source of batches of 3 that waits for the loop's pace before each further batch.
    const fetched: number[] = [];
    const batches = (pace: LoopPace) =>
      new Observable<number>((s) => {
        let stopped = false;
        void (async () => {
          for (let batch = 0; batch < 5 && !stopped; batch++) {
            if (batch > 0) await pace.drained();
            if (stopped) return;
            fetched.push(batch);
            for (let i = 0; i < 3; i++) s.next(batch * 3 + i);
          }
          s.complete();
        })();
        return () => (stopped = true);
      });
    const never = new Observable<number>(() => undefined);
    const plain: number[] = [];
    iterableObservable(never, { paced: batches }).subscribe((n) => plain.push(n)); // a plain subscriber reads the plain source
    const seen: number[] = [];
    for await (const n of pipeIterable(iterableObservable(never, { paced: batches }), (from) => from.pipe(map((x) => x * 10)))) {
      seen.push(n);
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (seen.length === 4) break; // in the second batch
    }
    expect(seen).toEqual([0, 10, 20, 30]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fetched).toEqual([0, 1]); // the third batch was never fetched
    expect(plain).toEqual([]);
  });

  it('waits for values that arrive later', async () => {
    const subject = new Subject<number>();
    const iterator = iterableObservable(subject)[Symbol.asyncIterator]();
    const next = iterator.next();
    subject.next(42);
    await expect(next).resolves.toEqual({ value: 42, done: false });
  });

  it('with an iterated source, loops read it and subscribers read the source; an operator over it keeps both', async () => {
    const of = (tag: string) => new Observable<string>((s) => {
      s.next(`${tag}1`);
      s.next(`${tag}2`);
      s.complete();
    });
    const stream = iterableObservable(of('callback'), { iterated: of('loop') });
    const upper = pipeIterable(stream, (from) => from.pipe(map((v) => v.toUpperCase())));
    for (const [it, expected] of [[stream, ['loop1', 'loop2', 'callback1', 'callback2']], [upper, ['LOOP1', 'LOOP2', 'CALLBACK1', 'CALLBACK2']]] as const) {
      const seen: string[] = [];
      for await (const v of it) seen.push(v);
      it.subscribe((v) => seen.push(v));
      expect(seen).toEqual(expected);
    }
  });

  describe('signal', () => {
    const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

    it('ends a loop waiting for a value, without an error, and lets the source go', async () => {
      const subject = new Subject<number>();
      const controller = new AbortController();
      const seen: number[] = [];
      const loop = (async () => {
        for await (const n of iterableObservable(subject, { signal: controller.signal })) seen.push(n);
        return 'ended';
      })();
      subject.next(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(subject.observed).toBe(true);
      expect(listeners(controller.signal)).toBe(1);
      controller.abort();
      await expect(loop).resolves.toBe('ended');
      expect(seen).toEqual([1]);
      expect(subject.observed).toBe(false);
      expect(listeners(controller.signal)).toBe(0);
    });

    it("ends a loop whose body runs at its next step, keeping the source until then, and drops what was buffered", async () => {
      const subject = new Subject<number>();
      const controller = new AbortController();
      const it = iterableObservable(subject, { signal: controller.signal })[Symbol.asyncIterator]();
      subject.next(1);
      await expect(it.next()).resolves.toEqual({ value: 1, done: false });
      // The body runs: the signal aborts, and more arrives meanwhile.
      controller.abort();
      expect(subject.observed).toBe(true);
      subject.next(2);
      subject.error(new Error('broken after the abort'));
      await expect(it.next()).resolves.toEqual({ value: undefined, done: true });
      expect(subject.observed).toBe(false);
      expect(listeners(controller.signal)).toBe(0);
    });

    it('completes a subscriber at once and lets the source go', () => {
      const subject = new Subject<number>();
      const controller = new AbortController();
      const seen: string[] = [];
      iterableObservable(subject, { signal: controller.signal }).subscribe({ next: (n) => seen.push(`${n}`), error: () => seen.push('error'), complete: () => seen.push('complete') });
      subject.next(1);
      controller.abort();
      subject.next(2);
      expect(seen).toEqual(['1', 'complete']);
      expect(subject.observed).toBe(false);
      expect(listeners(controller.signal)).toBe(0);
    });

    it('already aborted: a subscriber and a loop end at once, and nothing is subscribed', async () => {
      let opened = 0;
      const source = new Observable<number>(() => void opened++);
      const stream = iterableObservable(source, { signal: AbortSignal.abort(), iterated: source, continuing: () => source });
      let completed = false;
      stream.subscribe({ complete: () => (completed = true) });
      expect(completed).toBe(true);
      const seen: number[] = [];
      for await (const n of stream) seen.push(n);
      expect(seen).toEqual([]);
      expect(opened).toBe(0);
    });

    it('removes its listener when the subscription ends otherwise: the source completes or fails, the loop breaks, a subscriber unsubscribes', async () => {
      const controller = new AbortController();
      const { signal } = controller;
      const ends = new Subject<number>();
      for (let i = 0; i < 20; i++) {
        for await (const _ of iterableObservable(new Observable<number>((s) => s.complete()), { signal })) break;
        await iterableObservable(new Observable<number>((s) => s.error(new Error('x'))), { signal })[Symbol.asyncIterator]().next().catch(() => undefined);
        for await (const n of iterableObservable(new Observable<number>((s) => s.next(i)), { signal })) if (n === i) break;
        iterableObservable(ends, { signal }).subscribe().unsubscribe();
        iterableObservable(new Observable<number>((s) => s.complete()), { signal }).subscribe();
      }
      expect(listeners(signal)).toBe(0);
      expect(ends.observed).toBe(false);
    });

    it('an operator over the stream (a typed channel) keeps it, for subscribers and loops', async () => {
      const subject = new Subject<number>();
      const controller = new AbortController();
      const doubled = pipeIterable(iterableObservable(subject, { signal: controller.signal }), (from) => from.pipe(map((n) => n * 2)));
      let completed = false;
      doubled.subscribe({ complete: () => (completed = true) });
      const loop = (async () => {
        const seen: number[] = [];
        for await (const n of doubled) seen.push(n);
        return seen;
      })();
      subject.next(1);
      await new Promise((resolve) => setImmediate(resolve));
      controller.abort();
      await expect(loop).resolves.toEqual([2]);
      expect(completed).toBe(true);
      expect(subject.observed).toBe(false);
      expect(listeners(controller.signal)).toBe(0);
    });

    it('ends a paused loop (a replay that fell behind) at its next step', async () => {
      const controller = new AbortController();
      let opens = 0;
      const cursor = () =>
        new Observable<number>((s) => {
          opens++;
          for (let n = 0; n < 10 && !s.closed; n++) s.next(n);
        });
      const it = iterableObservable(cursor(), { bufferSize: 2, continuing: cursor, signal: controller.signal })[Symbol.asyncIterator]();
      await expect(it.next()).resolves.toEqual({ value: 0, done: false });
      controller.abort();
      await expect(it.next()).resolves.toEqual({ value: undefined, done: true });
      expect(opens).toBe(1);
      expect(listeners(controller.signal)).toBe(0);
    });
  });
});
