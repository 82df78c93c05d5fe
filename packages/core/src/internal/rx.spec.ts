// rx.ts's operators against rxjs's own: the same values, errors and completions for the same
// source, a throwing callback included, and unsubscribing reaches the source.
import fc from 'fast-check';
import * as rxjs from 'rxjs';
import { defer, filter, flatten, map, observable, tap } from './rx.js';

/** Everything a subscriber sees, in order. */
type Seen = (['next', unknown] | ['error', unknown] | ['complete'])[];

function record(source: rxjs.Observable<unknown>): Seen {
  const seen: Seen = [];
  source.subscribe({ next: (v) => seen.push(['next', v]), error: (e) => seen.push(['error', e]), complete: () => seen.push(['complete']) });
  return seen;
}

/** A synchronous source: these values, then an error or completion. */
const sourceOf = (values: number[], end: 'complete' | 'error') =>
  new rxjs.Observable<number>((s) => {
    for (const v of values) s.next(v);
    if (end === 'error') s.error(new Error('source failed'));
    else s.complete();
  });

const boom = new Error('callback threw');
const values = fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 8 });
const end = fc.constantFrom<'complete' | 'error'>('complete', 'error');
/** A value the callbacks throw on (or none). */
const thrower = fc.option(fc.integer({ min: -5, max: 5 }), { nil: undefined });

describe('rx operators: what rxjs does', () => {
  it('property: map (and a throwing project is not called again)', () => {
    fc.assert(
      fc.property(values, end, thrower, (vs, e, bad) => {
        const projectFor = (calls: number[]) => (v: number) => {
          calls.push(v);
          if (v === bad) throw boom;
          return v * 2;
        };
        const calls = { ours: [] as number[], theirs: [] as number[] };
        expect(record(sourceOf(vs, e).pipe(map(projectFor(calls.ours))))).toEqual(record(sourceOf(vs, e).pipe(rxjs.map(projectFor(calls.theirs)))));
        expect(calls.ours).toEqual(calls.theirs);
      }),
    );
  });

  it('property: filter', () => {
    fc.assert(
      fc.property(values, end, thrower, (vs, e, bad) => {
        const keep = (v: number) => {
          if (v === bad) throw boom;
          return v % 2 === 0;
        };
        expect(record(sourceOf(vs, e).pipe(filter(keep)))).toEqual(record(sourceOf(vs, e).pipe(rxjs.filter(keep))));
      }),
    );
  });

  it('property: flatten is mergeMap over from(array)', () => {
    fc.assert(
      fc.property(values, end, thrower, (vs, e, bad) => {
        const elements = (v: number) => {
          if (v === bad) throw boom;
          return Array.from({ length: Math.abs(v) }, (_, i) => v * 10 + i);
        };
        const ours = record(sourceOf(vs, e).pipe(flatten(elements)));
        const theirs = record(sourceOf(vs, e).pipe(rxjs.mergeMap((v) => rxjs.from(elements(v)))));
        expect(ours).toEqual(theirs);
      }),
    );
  });

  it('property: tap with a function and with an observer, throwing callbacks included', () => {
    fc.assert(
      fc.property(values, end, thrower, fc.boolean(), fc.boolean(), (vs, e, bad, throwOnError, throwOnComplete) => {
        const calls = { ours: [] as unknown[], theirs: [] as unknown[] };
        const observerFor = (log: unknown[]) => ({
          next: (v: number) => {
            log.push(['next', v]);
            if (v === bad) throw boom;
          },
          error: (err: unknown) => {
            log.push(['error', err]);
            if (throwOnError) throw boom;
          },
          complete: () => {
            log.push(['complete']);
            if (throwOnComplete) throw boom;
          },
        });
        const ours = record(sourceOf(vs, e).pipe(tap(observerFor(calls.ours))));
        const theirs = record(sourceOf(vs, e).pipe(rxjs.tap(observerFor(calls.theirs))));
        expect(ours).toEqual(theirs);
        expect(calls.ours).toEqual(calls.theirs);
        const fnOurs = record(sourceOf(vs, e).pipe(tap(observerFor([]).next)));
        const fnTheirs = record(sourceOf(vs, e).pipe(rxjs.tap(observerFor([]).next)));
        expect(fnOurs).toEqual(fnTheirs);
      }),
    );
  });

  it('defer calls its factory once per subscriber, and a throwing factory errors that subscriber', () => {
    let made = 0;
    const deferred = defer(() => {
      made++;
      return rxjs.of(made);
    });
    expect(record(deferred)).toEqual([['next', 1], ['complete']]);
    expect(record(deferred)).toEqual([['next', 2], ['complete']]);
    const failing = defer((): rxjs.Observable<number> => {
      throw boom;
    });
    expect(record(failing)).toEqual(record(rxjs.defer((): rxjs.Observable<number> => {
      throw boom;
    })));
  });

  it('unsubscribing reaches the source through every operator', () => {
    const operators = [map((v: number) => v), filter(() => true), flatten((v: number) => [v]), tap(() => undefined)];
    for (const op of operators) {
      let torn = false;
      const source = observable<number>((s) => {
        s.next(1);
        return () => {
          torn = true;
        };
      });
      const sub = source.pipe(op).subscribe();
      expect(torn).toBe(false);
      sub.unsubscribe();
      expect(torn).toBe(true);
    }
    let tornDeferred = false;
    defer(() => observable<number>(() => () => (tornDeferred = true))).subscribe().unsubscribe();
    expect(tornDeferred).toBe(true);
  });

  it('observable() makes an rxjs Observable', () => {
    expect(observable(() => undefined)).toBeInstanceOf(rxjs.Observable);
  });
});
