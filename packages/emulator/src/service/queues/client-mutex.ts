// The mutex of one of the server's pooled queue clients: the calls that hold it run one at a time,
// first come, first served (a Go mutex hands over in order once a waiter has waited 1 ms, and these
// waits are whole seconds).

export class ClientMutex {
  #tail: Promise<void> = Promise.resolve();

  /** Runs `task` once every call before it has ended, whatever their outcome. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const turn = this.#tail.then(task);
    this.#tail = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }
}
