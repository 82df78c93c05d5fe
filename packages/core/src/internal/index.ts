export {};
export {
  iterableObservable,
  IteratorOverflowError,
  DEFAULT_ITERATOR_BUFFER_SIZE,
  type IterableObservable,
  type IterableOptions,
} from './streams/iterable-observable.js';
