// The parts of rxjs the SDK runs, each from its own module. Node resolves `import 'rxjs'` (from
// ESM as from CJS) to rxjs's CommonJS barrel, which loads all of rxjs: about 100 ms of every cold
// start, for the 9 pieces below. Each path is one of rxjs's exported entry points (its exports map
// has "./internal/*" for node, require and the bundler builds alike), so these are the very classes
// and functions an app gets from `import { Observable } from 'rxjs'`: `instanceof` holds both ways
// (test/component/rxjs-entries.spec.ts checks it in ESM, CJS and bundles).
//
// Value imports of the barrel are a lint error in every package's sources (eslint.config.mjs);
// types still come from 'rxjs' (`import type` costs nothing at run time, and keeps the published
// declarations on rxjs's public entry).
import type { Observable as PublicObservable, Subscriber, TeardownLogic } from 'rxjs';
import { Observable } from 'rxjs/internal/Observable';

/** `new Observable(subscribe)`, typed as rxjs's public `Observable` (declarations never name rxjs's internals). */
export function observable<T>(subscribe: (subscriber: Subscriber<T>) => TeardownLogic): PublicObservable<T> {
  return new Observable<T>(subscribe);
}

export { Subject } from 'rxjs/internal/Subject';
export { BehaviorSubject } from 'rxjs/internal/BehaviorSubject';
export { defer } from 'rxjs/internal/observable/defer';
export { from } from 'rxjs/internal/observable/from';
export { filter } from 'rxjs/internal/operators/filter';
export { map } from 'rxjs/internal/operators/map';
export { mergeMap } from 'rxjs/internal/operators/mergeMap';
export { tap } from 'rxjs/internal/operators/tap';
