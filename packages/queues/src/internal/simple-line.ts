import { KubemqError } from '@kubemq/core';
import { deferred, type ClientInternals, type Deferred } from '@kubemq/core/internal';

/** What a call waiting in the line is bound by, and named as in its errors. */
export interface LineBound {
  operation: string;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * The open-source broker serves one queue's simple receives, peeks and purges one at a time, each
 * for its whole wait (docs/broker-behaviour.md §2.4). A client's own calls on a queue therefore
 * go out one at a time too: a call's deadline then starts when the broker starts on it, and a call
 * that runs out of time, is aborted or meets the client's close while it waits here was never
 * sent. (Sent, it would wait in the broker's line instead, and a receive the broker ran after its
 * caller had gone would ack messages nobody gets.)
 */
export class SimpleLine {
  /** Per queue: settles once the last call queued on it has ended. */
  readonly #tails = new Map<string, Promise<unknown>>();
  /** The calls waiting for their turn, with what their close error names. */
  readonly #waiting = new Map<Deferred<void>, LineBound & { channel: string }>();

  /**
   * Runs `send(waitedMs)` once this client's earlier calls on `channel` have ended; `waitedMs` is
   * how long it waited for that. `bound` limits the wait (TimeoutError, or CANCELLED on abort,
   * with nothing sent).
   */
  run<T>(channel: string, bound: LineBound, send: (waitedMs: number) => Promise<T>): Promise<T> {
    const ahead = this.#tails.get(channel);
    const mine = ahead ? this.#afterTurn(channel, ahead, bound, send) : send(0);
    // The next call waits for this one and for the ones ahead of it, whichever ends last: a call
    // that left the line early must not let the one behind it overtake one still at the broker.
    const tail: Promise<unknown> = Promise.allSettled([ahead, mine]);
    this.#tails.set(channel, tail);
    void tail.then(() => {
      if (this.#tails.get(channel) === tail) this.#tails.delete(channel);
    });
    return mine;
  }

  /**
   * The client's close() is past its handlers' drains: every call still waiting fails unsent
   * (the client takes no new call from then on), rather than after close() is over.
   */
  close(): void {
    for (const [turn, { operation, channel }] of this.#waiting) {
      turn.reject(new KubemqError({ code: 'CLOSED', operation, channel, message: `${operation} was not sent: the client closed while it waited for its turn` }));
    }
    this.#waiting.clear();
  }

  async #afterTurn<T>(channel: string, ahead: Promise<unknown>, bound: LineBound, send: (waitedMs: number) => Promise<T>): Promise<T> {
    const since = performance.now();
    const turn = deferred<void>({
      ...bound,
      channel,
      late: "was not sent: this client's earlier calls on the queue, which the broker serves one at a time, did not end",
      sent: false,
    });
    this.#waiting.set(turn, { ...bound, channel });
    void ahead.then(() => turn.resolve());
    try {
      await turn.promise;
    } finally {
      this.#waiting.delete(turn);
    }
    return send(performance.now() - since);
  }
}

const lines = new WeakMap<ClientInternals, SimpleLine>();

/** The one line of a client, however many QueuesClient objects are made for it. */
export function simpleLine(internals: ClientInternals): SimpleLine {
  let line = lines.get(internals);
  if (!line) {
    const created = new SimpleLine();
    // Drained after the handlers: a handler's call waiting its turn when close() begins still goes out.
    internals.track({ drainsAfterHandlers: true, drain: async () => created.close() });
    lines.set(internals, (line = created));
  }
  return line;
}
