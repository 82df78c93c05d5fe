// The one wait of every queue consumer (simple receive and peek, AckAll, the stream-v1 receive,
// a downstream Get): the consumer joins the queue and takes messages until it has what it
// wants, its wait runs out, or its caller's signal fires.
import type { Clock, TimerHandle } from '../../clock.js';
import type { Consumer } from './group/consumer.js';

/** How a wait ended. */
export type WaitEnd = 'filled' | 'timeout' | 'aborted';

/** What a waiting consumer sees of its wait. */
export interface WaitControl {
  /** True until the wait ends; a consumer has no room after that. */
  readonly open: boolean;
  /** Ends the wait now: the consumer has what it wanted. */
  filled(): void;
}

export interface WaitSpec<T> {
  clock: Clock;
  waitMs: number;
  signal?: AbortSignal;
  /** Builds the consumer; it calls `wait.filled()` once it has what it wanted. */
  consumer(wait: WaitControl): Consumer;
  /** Puts the consumer among the queue's members (it may be served, and filled, at once). */
  join(consumer: Consumer): void;
  /** The wait began (just before `join`): `end` ends it now, as its timer or its signal would. */
  started?(consumer: Consumer, end: (how: WaitEnd) => void): void;
  /**
   * Runs once when the wait ended, after the timer and the abort listener are gone, and turns
   * the end into the caller's result. It decides whether the consumer leaves the queue. When
   * the signal had fired before the wait began, the consumer never joined.
   */
  end(how: WaitEnd, consumer: Consumer): T;
}

export function waitForMessages<T>(spec: WaitSpec<T>): Promise<T> {
  return new Promise<T>((resolve) => {
    let open = true;
    const consumer = spec.consumer({
      get open() {
        return open;
      },
      filled: () => finish('filled'),
    });
    if (spec.signal?.aborted) {
      open = false;
      resolve(spec.end('aborted', consumer));
      return;
    }
    const finish = (how: WaitEnd): void => {
      if (!open) return;
      open = false;
      spec.clock.clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      resolve(spec.end(how, consumer));
    };
    const onAbort = (): void => finish('aborted');
    const timer: TimerHandle = spec.clock.setTimeout(() => finish('timeout'), spec.waitMs);
    spec.signal?.addEventListener('abort', onAbort);
    spec.started?.(consumer, finish);
    spec.join(consumer);
  });
}
