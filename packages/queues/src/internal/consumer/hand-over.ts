// How a `for await` loop over subscribe() or transactions() is handed what its poll loop delivers:
// one value at a time, as it asks, never a whole poll into its buffer at once.
import type { Observable } from 'rxjs';
import { observable, onAbort, type LoopPace } from '@kubemq/core/internal';

/**
 * The source a paced `for await` loop reads (core's `LoopPace`): what `source` delivers waits here
 * and goes to the loop one value at a time, each once the loop asks for more than it holds. So a
 * loop never falls behind (its buffer holds what it asked for, at most), even when its poll loop
 * delivers more before the loop took the last poll: a subscribe() loop busy with the first message
 * of a poll whose stream was lost still has the rest to read (`released`), and the next poll's
 * messages wait behind them. `source` gets a pace of its own: resolved once every value waiting
 * here is handed over and the loop asks for more.
 *
 * `cutAt`, the subscription's signal without autoAck: once it aborts nothing more is handed over,
 * and the loop ends at its next step (at once while it waits), as a `break` there would, so the
 * body may still settle what it holds; the stream ends with it, and the broker returns to the
 * queue what the loop was not handed. With autoAck the broker has acked what waits here: it is
 * handed over until `source` ends.
 */
export function handedOnDemand<T>(pace: LoopPace, source: (pace: LoopPace) => Observable<T>, cutAt?: AbortSignal): Observable<T> {
  return observable<T>((subscriber) => {
    const waiting: T[] = [];
    /** How `source` ended: passed on once everything waiting is handed over. */
    let ended: { error: unknown } | 'complete' | undefined;
    let handing = false;
    /** Waiting for everything to be handed over (the source's pace). */
    let emptied: (() => void)[] = [];
    const end = (): void => {
      if (ended === 'complete') subscriber.complete();
      else if (ended) subscriber.error(ended.error);
    };
    const handOver = async (): Promise<void> => {
      if (handing) return;
      handing = true;
      while (waiting.length > 0) {
        await pace.drained();
        if (subscriber.closed) return;
        if (cutAt?.aborted) return subscriber.complete();
        subscriber.next(waiting.shift() as T);
      }
      handing = false;
      const resolved = emptied;
      emptied = [];
      for (const resolve of resolved) resolve();
      end();
    };
    const own: LoopPace = {
      drained: async () => {
        while (waiting.length > 0) await new Promise<void>((resolve) => emptied.push(resolve));
        await pace.drained();
      },
    };
    const stopListening = onAbort(cutAt, () => void pace.drained().then(() => subscriber.complete()));
    const subscription = source(own).subscribe({
      next: (value) => {
        waiting.push(value);
        void handOver();
      },
      error: (error: unknown) => {
        ended = { error };
        if (!handing) end();
      },
      complete: () => {
        ended = 'complete';
        if (!handing) end();
      },
    });
    return () => {
      stopListening();
      subscription.unsubscribe();
    };
  });
}
