// Tasks that run one at a time, first come, first served, whatever the outcome of those before:
// the mutex of one of the server's pooled queue clients (a Go mutex hands over in order once a
// waiter has waited 1 ms, and these waits are whole seconds), or a stream's requests, which the
// server handles one after another.

export class OneAtATime {
  #tail: Promise<void> = Promise.resolve();

  /** Runs `task` once every task before it has ended. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const turn = this.#tail.then(task);
    this.#tail = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }
}
