import { Observable, Subject } from 'rxjs';
import { KubemqError } from '../errors/kubemq-error.js';
import { IteratorOverflowError, iterableObservable } from './iterable-observable.js';

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

  it('waits for values that arrive later', async () => {
    const subject = new Subject<number>();
    const iterator = iterableObservable(subject)[Symbol.asyncIterator]();
    const next = iterator.next();
    subject.next(42);
    await expect(next).resolves.toEqual({ value: 42, done: false });
  });
});
