// The parts of rxjs the SDK runs, each from its own module. Node resolves `import 'rxjs'` (from
// ESM as from CJS) to rxjs's CommonJS barrel, which loads all of rxjs: about 100 ms of every cold
// start. The SDK takes one class, Observable, from rxjs's exported entry points instead (its exports
// map has "./internal/*" for node, require and the bundler builds alike), so it is the very class
// an app gets from `import { Observable } from 'rxjs'`: `instanceof` holds both ways
// (test/component/rxjs-entries.spec.ts checks it in ESM, CJS and bundles). The SDK's hot sources
// (Subject's and BehaviorSubject's work) are broadcast.ts, on the same class.
//
// The few operators the SDK applies are written here on `observable()`, as rxjs's own behave (a
// throwing callback errors the subscription; unsubscribing reaches the source): importing each of
// rxjs's operator modules from ESM costs a CommonJS translation apiece, and the six the SDK used
// (defer, from, filter, map, mergeMap, tap) took about 30 ms of a cold start (rx.spec.ts holds them
// to rxjs's results).
//
// Value imports of the barrel are a lint error in every package's sources (eslint.config.mjs);
// types still come from 'rxjs' (`import type` costs nothing at run time, and keeps the published
// declarations on rxjs's public entry).
import type { MonoTypeOperatorFunction, Observable as PublicObservable, Observer, OperatorFunction, Subscriber, TeardownLogic } from 'rxjs';
import { Observable } from 'rxjs/internal/Observable';

/** `new Observable(subscribe)`, typed as rxjs's public `Observable` (declarations never name rxjs's internals). */
export function observable<T>(subscribe: (subscriber: Subscriber<T>) => TeardownLogic): PublicObservable<T> {
  return new Observable<T>(subscribe);
}

/**
 * An operator whose `next` decides what goes on. A throw from it errors the subscriber, and the
 * source's error and completion pass through, as in rxjs's operators. Once the subscriber has
 * ended, nothing more reaches the callbacks (a synchronous source may still be emitting: rxjs's
 * own operators stop listening to it then).
 */
function operator<T, R>(next: (value: T, subscriber: Subscriber<R>) => void): OperatorFunction<T, R> {
  return (source) =>
    observable<R>((subscriber) =>
      source.subscribe({
        next: (value) => {
          if (subscriber.closed) return;
          try {
            next(value, subscriber);
          } catch (err) {
            subscriber.error(err);
          }
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => subscriber.complete(),
      }),
    );
}

/** rxjs's `map`. */
export function map<T, R>(project: (value: T) => R): OperatorFunction<T, R> {
  return operator((value: T, subscriber) => subscriber.next(project(value)));
}

/** rxjs's `filter`. */
export function filter<T>(predicate: (value: T) => boolean): MonoTypeOperatorFunction<T> {
  return operator((value: T, subscriber) => {
    if (predicate(value)) subscriber.next(value);
  });
}

/** rxjs's `mergeMap((value) => from(array))`: every element of `elements(value)`, in order. */
export function flatten<T, R>(elements: (value: T) => readonly R[]): OperatorFunction<T, R> {
  return operator((value: T, subscriber) => {
    for (const element of elements(value)) subscriber.next(element);
  });
}

/** rxjs's `tap`: side effects on next (a function), or on next, error and complete (an observer). */
export function tap<T>(effects: ((value: T) => void) | Partial<Observer<T>>): MonoTypeOperatorFunction<T> {
  const on = typeof effects === 'function' ? { next: effects } : effects;
  return (source) =>
    observable<T>((subscriber) =>
      source.subscribe({
        next: (value) => {
          if (subscriber.closed) return;
          try {
            on.next?.(value);
          } catch (err) {
            return subscriber.error(err);
          }
          subscriber.next(value);
        },
        error: (err: unknown) => {
          if (subscriber.closed) return;
          try {
            on.error?.(err);
          } catch (thrown) {
            return subscriber.error(thrown);
          }
          subscriber.error(err);
        },
        complete: () => {
          if (subscriber.closed) return;
          try {
            on.complete?.();
          } catch (thrown) {
            return subscriber.error(thrown);
          }
          subscriber.complete();
        },
      }),
    );
}

/** rxjs's `defer` for a factory of Observables: called anew for every subscriber. */
export function defer<T>(factory: () => PublicObservable<T>): PublicObservable<T> {
  return observable<T>((subscriber) => {
    let source: PublicObservable<T>;
    try {
      source = factory();
    } catch (err) {
      subscriber.error(err);
      return undefined;
    }
    return source.subscribe(subscriber);
  });
}
