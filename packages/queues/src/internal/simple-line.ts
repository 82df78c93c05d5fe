import { deferred, type ClientInternals } from '@kubemq/core/internal';

/**
 * The open-source broker serves one queue's simple receives, peeks and purges one at a time, each
 * for its whole wait (docs/broker-behaviour.md §2.4). A client's own calls on a queue therefore
 * go out one at a time too: a call's deadline then starts when the broker starts on it, and a call
 * that runs out of time or is aborted while it waits here was never sent. (Sent, it would wait in
 * the broker's line instead, and a receive the broker ran after its caller had gone would ack
 * messages nobody gets.)
 */
export class SimpleLine {
  /** Per queue: settles once the last call queued on it has ended. */
  readonly #tails = new Map<string, Promise<unknown>>();

  /**
   * Runs `send(waitedMs)` once this client's earlier calls on `channel` have ended; `waitedMs` is
   * how long it waited for that. `bound` limits the wait (TimeoutError, or CANCELLED on abort,
   * with nothing sent).
   */
  run<T>(channel: string, bound: { operation: string; timeoutMs?: number | undefined; signal?: AbortSignal | undefined }, send: (waitedMs: number) => Promise<T>): Promise<T> {
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

  async #afterTurn<T>(channel: string, ahead: Promise<unknown>, bound: { operation: string; timeoutMs?: number | undefined; signal?: AbortSignal | undefined }, send: (waitedMs: number) => Promise<T>): Promise<T> {
    const since = performance.now();
    const turn = deferred<void>({
      ...bound,
      channel,
      late: "was not sent: this client's earlier calls on the queue, which the broker serves one at a time, did not end",
    });
    void ahead.then(() => turn.resolve());
    await turn.promise;
    return send(performance.now() - since);
  }
}

const lines = new WeakMap<ClientInternals, SimpleLine>();

/** The one line of a client, however many QueuesClient objects are made for it. */
export function simpleLine(internals: ClientInternals): SimpleLine {
  let line = lines.get(internals);
  if (!line) lines.set(internals, (line = new SimpleLine()));
  return line;
}
