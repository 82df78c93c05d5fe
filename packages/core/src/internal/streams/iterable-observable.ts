import type { Observable, Subscription } from 'rxjs';
import { observable } from '../rx.js';
import { KubemqError } from '../errors/kubemq-error.js';

/**
 * A stream the API hands out (every `subscribe()`, `client.state$`): an RxJS Observable that
 * `for await` also reads. Each `for await` loop subscribes once, holds up to the stream's
 * `bufferSize` values for a loop that is busy, and unsubscribes when the loop ends (`break`,
 * `return` or a throw).
 *
 * @example
 * ```ts
 * for await (const state of client.state$) console.log('connection', state);
 * ```
 */
export type IterableObservable<T> = Observable<T> & AsyncIterable<T>;

/**
 * Ends a `for await` loop over an {@link IterableObservable} that fell more than `bufferSize`
 * values behind: values are never dropped silently. Raise the stream's `bufferSize` or consume
 * faster.
 */
export class IteratorOverflowError extends KubemqError {
  /** `IteratorOverflowError`. */
  override readonly name: string = 'IteratorOverflowError';
  /** How many values the loop was allowed to fall behind. */
  readonly bufferSize: number;

  /** @param bufferSize How many values the loop was allowed to fall behind. */
  constructor(bufferSize: number) {
    super({
      code: 'BUFFER_FULL',
      retryable: false,
      operation: 'iterate',
      message: `the consumer fell more than ${bufferSize} messages behind; raise bufferSize or consume faster`,
    });
    this.bufferSize = bufferSize;
  }

  /** {@link KubemqError.toJSON}, with the `bufferSize`. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), bufferSize: this.bufferSize };
  }
}

export interface IterableOptions {
  /**
   * How many received values may wait for a slow `for await` consumer. Past it the iteration
   * fails with IteratorOverflowError rather than dropping values or growing without bound.
   */
  bufferSize?: number;
}

export const DEFAULT_ITERATOR_BUFFER_SIZE = 1024;

/**
 * Makes a cold Observable consumable with `for await`: each iteration subscribes once, buffers
 * up to `bufferSize` values, and unsubscribes (cancelling the underlying stream) when the loop
 * ends through `break`, `return` or a throw.
 */
export function iterableObservable<T>(source: Observable<T>, options: IterableOptions = {}): IterableObservable<T> {
  const bufferSize = options.bufferSize ?? DEFAULT_ITERATOR_BUFFER_SIZE;
  const result = observable<T>((subscriber) => source.subscribe(subscriber)) as IterableObservable<T>;
  result[Symbol.asyncIterator] = () => iterate(source, bufferSize);
  return result;
}

function iterate<T>(source: Observable<T>, bufferSize: number): AsyncIterator<T> {
  const buffer: T[] = [];
  let head = 0;
  let failure: { error: unknown } | undefined;
  let done = false;
  let waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  // Assigned once, but `let`: a synchronous source calls stop() before subscribe() returns.
  // eslint-disable-next-line prefer-const
  let subscription: Subscription | undefined;

  const settle = () => {
    if (!waiting) return;
    const w = waiting;
    if (head < buffer.length) {
      waiting = undefined;
      w.resolve({ value: take(), done: false });
    } else if (failure) {
      waiting = undefined;
      w.reject(failure.error);
    } else if (done) {
      waiting = undefined;
      w.resolve({ value: undefined, done: true });
    }
  };
  const take = (): T => {
    const value = buffer[head] as T;
    buffer[head++] = undefined as T;
    if (head > 1024 && head * 2 > buffer.length) {
      buffer.splice(0, head);
      head = 0;
    }
    return value;
  };
  const stop = () => {
    done = true;
    subscription?.unsubscribe();
  };

  subscription = source.subscribe({
    next: (value) => {
      if (done) return;
      if (buffer.length - head >= bufferSize) {
        failure = { error: new IteratorOverflowError(bufferSize) };
        stop();
      } else {
        buffer.push(value);
      }
      settle();
    },
    error: (error: unknown) => {
      failure = { error };
      done = true;
      settle();
    },
    complete: () => {
      done = true;
      settle();
    },
  });

  return {
    next: () =>
      new Promise<IteratorResult<T>>((resolve, reject) => {
        waiting = { resolve, reject };
        settle();
      }),
    return: (value?: unknown) => {
      stop();
      buffer.length = 0;
      head = 0;
      return Promise.resolve({ value: value as T, done: true });
    },
  };
}
