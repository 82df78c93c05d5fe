// The server's pooled queue clients for QueuesDownstream Gets (§2.4): 200 of them, handed out round
// robin by one counter for the whole server, one per Get. A Get holds its client's mutex for its
// whole wait, validation included, so a Get handed the client another Get still waits with (200
// Gets later, on any queue) waits behind it.
import { OneAtATime } from './one-at-a-time.js';

/** `queueDownstreamClientPoolSize` in the server. */
export const DOWNSTREAM_POOL_SIZE = 200;

export class DownstreamClients {
  readonly #clients = Array.from({ length: DOWNSTREAM_POOL_SIZE }, () => new OneAtATime());
  #counter = 0;

  /** Runs one Get on the next client of the pool, once that client is free. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.#counter = (this.#counter + 1) % DOWNSTREAM_POOL_SIZE;
    return this.#clients[this.#counter]!.run(task);
  }
}
