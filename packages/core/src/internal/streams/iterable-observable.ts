import type { Observable, Subscription } from 'rxjs';
import { observable } from '../rx.js';
import { KubemqError } from '../errors/kubemq-error.js';
import { onAbort } from '../util/async.js';

/**
 * A stream the API hands out (every `subscribe()`, `client.state$`): an RxJS Observable that
 * `for await` also reads. Each `for await` loop subscribes once, holds up to the stream's
 * `bufferSize` values for a loop that is busy, and unsubscribes when the loop ends (`break`,
 * `return` or a throw). Several tasks may read one iterator (a pool of workers): each value goes to
 * one of them, in the order they called `next()`, and its end reaches them all.
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

export interface IterableOptions<T = unknown> {
  /**
   * How many received values may wait for a slow `for await` consumer. Past it the iteration
   * fails with IteratorOverflowError rather than dropping values or growing without bound.
   */
  bufferSize?: number;
  /**
   * For a stream the broker can replay (the events store): called once per `for await` loop, it
   * gives a source whose every subscription continues after the last value the one before it
   * delivered. Past `bufferSize` the loop then pauses the stream instead of failing, and opens
   * it again once it has read half of what waits.
   */
  continuing?: () => Observable<T>;
  /**
   * For a source that must not run ahead of a `for await` loop (a queue poll whose broker acks
   * what it hands out, so whatever a loop holds unread when it ends is lost): called once per loop
   * with that loop's pace, it gives the source the loop reads, which waits for `pace.drained()`
   * before it fetches more. Such a source (and `source` too) must watch `signal` itself and end
   * once what it already fetched is handed over: an abort does not cut it (what it has taken is
   * acked, and would be lost), and a loop reads on until it ends.
   */
  paced?: (pace: LoopPace) => Observable<T>;
  /**
   * The source a `for await` loop reads, when it is not `source` (nor `continuing` or `paced`): a
   * subscription traces each delivery around its subscriber's callback, and a loop would have it
   * traced as it is buffered, not as the loop handles it. `continuing` and `paced` are read by
   * loops alone, so they give untraced sources too.
   */
  iterated?: Observable<T>;
  /**
   * A subscription's `signal`: aborting it ends the stream quietly. A subscriber sees it complete at
   * once; a `for await` loop waiting for a value ends at once, and one whose body is running ends at
   * its next step (as a `break` there would: whatever it holds stays its own until then). Already
   * aborted, nothing is opened and both end at once. With `paced`, the source ends itself instead.
   */
  signal?: AbortSignal | undefined;
}

/** What a `for await` loop tells a paced source (see IterableOptions.paced). */
export interface LoopPace {
  /**
   * Resolves once the loop has taken every value it was given and asks for the next one (at once
   * when it is waiting with none): what is fetched then is read, unless the loop ends first.
   */
  drained(): Promise<void>;
}

/** Where an IterableObservable keeps its `continuing` option, so operators over it (decodeEach) can keep it. */
export const CONTINUING: unique symbol = Symbol('kubemq.continuing');
/** Where an IterableObservable keeps its `paced` option, for the same reason. */
export const PACED: unique symbol = Symbol('kubemq.paced');
/** Where an IterableObservable keeps its `iterated` option, for the same reason. */
export const ITERATED: unique symbol = Symbol('kubemq.iterated');
/** Where an IterableObservable keeps its `signal` option, for the same reason. */
export const SIGNAL: unique symbol = Symbol('kubemq.signal');

/** An IterableObservable whose loops pause, pace or read another source (see IterableOptions). */
export type ContinuingIterable<T> = IterableObservable<T> & {
  [CONTINUING]?: () => Observable<T>;
  [PACED]?: (pace: LoopPace) => Observable<T>;
  [ITERATED]?: Observable<T>;
  [SIGNAL]?: AbortSignal;
};

export const DEFAULT_ITERATOR_BUFFER_SIZE = 1024;

/**
 * Makes a cold Observable consumable with `for await`: each iteration subscribes once, buffers
 * up to `bufferSize` values, and unsubscribes (cancelling the underlying stream) when the loop
 * ends through `break`, `return` or a throw.
 */
export function iterableObservable<T>(source: Observable<T>, options: IterableOptions<T> = {}): IterableObservable<T> {
  const bufferSize = options.bufferSize ?? DEFAULT_ITERATOR_BUFFER_SIZE;
  const { continuing, paced, iterated, signal } = options;
  // A paced source ends itself once the signal aborts, after handing over what it took.
  const cutOnAbort = paced === undefined;
  const result = observable<T>((subscriber) => {
    if (signal?.aborted) return subscriber.complete();
    const subscription = source.subscribe(subscriber);
    const stopListening = cutOnAbort ? onAbort(signal, () => subscriber.complete()) : () => undefined;
    return () => {
      stopListening();
      subscription.unsubscribe();
    };
  }) as ContinuingIterable<T>;
  const read = iterated ?? source;
  result[Symbol.asyncIterator] = () => iterate(continuing ?? paced ?? (() => read), bufferSize, continuing !== undefined, signal, cutOnAbort);
  if (continuing) result[CONTINUING] = continuing;
  if (paced) result[PACED] = paced;
  // With a signal, loops over an operator on this stream (pipeIterable) read the source itself and
  // apply the signal there: this stream's subscriber path ends at the abort, cutting a loop's body.
  if (iterated || signal) result[ITERATED] = read;
  if (signal) result[SIGNAL] = signal;
  return result;
}

/**
 * The same stream through an operator (a decoder, say), keeping how its `for await` loops pause,
 * pace or read their source.
 */
export function pipeIterable<S, T>(source: Observable<S>, operator: (from: Observable<S>) => Observable<T>, bufferSize?: number): IterableObservable<T> {
  const { [CONTINUING]: continuing, [PACED]: paced, [ITERATED]: iterated, [SIGNAL]: signal } = source as ContinuingIterable<S>;
  return iterableObservable(operator(source), {
    ...(bufferSize !== undefined && { bufferSize }),
    ...(signal && { signal }),
    ...(continuing && { continuing: () => operator(continuing()) }),
    ...(paced && { paced: (pace: LoopPace) => operator(paced(pace)) }),
    ...(iterated && { iterated: operator(iterated) }),
  });
}

function iterate<T>(
  sourceFor: (pace: LoopPace) => Observable<T>,
  bufferSize: number,
  canPause: boolean,
  signal: AbortSignal | undefined,
  cutOnAbort: boolean,
): AsyncIterator<T> {
  const buffer: T[] = [];
  let head = 0;
  let failure: { error: unknown } | undefined;
  let done = false;
  /** The signal aborted while the loop's body ran: its next step ends it. */
  let aborted = false;
  let stopListening = (): void => undefined;
  let paused = false;
  /**
   * The next() calls waiting for a value, first come first served: several tasks may read one
   * loop (a pool of workers), and each gets its own value, or the end.
   */
  let waiting: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }> = [];
  let subscription: Subscription | undefined;
  /** A paced source waiting for the loop to ask for more than it holds. */
  let drainWaiters: Array<() => void> = [];
  const pace: LoopPace = {
    drained: () => (waiting.length > 0 && head >= buffer.length ? Promise.resolve() : new Promise<void>((resolve) => drainWaiters.push(resolve))),
  };
  const source = sourceFor(pace);

  const settle = () => {
    while (waiting.length > 0 && head < buffer.length) (waiting.shift() as (typeof waiting)[number]).resolve({ value: take(), done: false });
    if (waiting.length === 0 || head < buffer.length || !(failure || done)) return;
    // The end reaches every reader waiting, as it does each next() after it.
    const readers = waiting;
    waiting = [];
    for (const reader of readers) {
      if (failure) reader.reject(failure.error);
      else reader.resolve({ value: undefined, done: true });
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
    stopListening();
    subscription?.unsubscribe();
  };

  const observer = {
    next: (value: T) => {
      if (done) return;
      if (buffer.length - head >= bufferSize && !paused) {
        if (!canPause) {
          failure = { error: new IteratorOverflowError(bufferSize) };
          stop();
          return settle();
        }
        paused = true;
        subscription?.unsubscribe();
      }
      // Kept even past the limit: the source counts it as delivered, and continues after it.
      buffer.push(value);
      settle();
    },
    error: (error: unknown) => {
      failure = { error };
      done = true;
      stopListening();
      settle();
    },
    complete: () => {
      done = true;
      stopListening();
      settle();
    },
  };
  const open = () => {
    const opened = source.subscribe(observer);
    subscription = opened;
    // A synchronous source may have stopped or paused before subscribe() returned.
    if (done || paused) opened.unsubscribe();
  };

  /** Ends the loop for good: the source is let go, what it holds is dropped, and every waiting next() is done. */
  const end = () => {
    stop();
    buffer.length = 0;
    head = 0;
    const readers = waiting;
    waiting = [];
    for (const reader of readers) reader.resolve({ value: undefined, done: true });
  };

  if (signal?.aborted) done = true;
  else if (!cutOnAbort) open();
  else {
    // A loop waiting for a value ends now; one whose body runs ends at its next step, so that what
    // it holds (a queue transaction it is settling) is not cut from under it.
    stopListening = onAbort(signal, () => {
      aborted = true;
      if (waiting.length > 0) end();
    });
    open();
  }

  return {
    next: () =>
      new Promise<IteratorResult<T>>((resolve, reject) => {
        if (aborted) {
          // Aborted first: the loop ends quietly, whatever the source did after.
          failure = undefined;
          end();
        }
        waiting.push({ resolve, reject });
        settle();
        if (waiting.length > 0 && drainWaiters.length > 0) {
          const waiters = drainWaiters;
          drainWaiters = [];
          for (const wake of waiters) wake();
        }
        if (paused && !done && buffer.length - head <= bufferSize / 2) {
          paused = false;
          open();
        }
      }),
    return: (value?: unknown) => {
      end();
      return Promise.resolve({ value: value as T, done: true });
    },
    // As a generator that does not catch it: the loop ends, and the error comes back.
    throw: (error?: unknown) => {
      end();
      return Promise.reject(error);
    },
  };
}
