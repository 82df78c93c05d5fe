// One queue's simple receives, peeks and AckAlls take turns (§2.4). The server serves them with a
// queue client from a pool keyed by `<channel>-receiver`, and each of those calls holds that
// client's mutex for its whole wait, validation included. A pool entry is stored only once its
// client has connected, so calls that arrive together on a queue with no entry each build a client
// of their own and run side by side (the [seen] pair of 1 s receives on a fresh queue).
// The server's pool drops an entry idle for a minute or two, after which calls arriving together
// could run side by side again; but after such a race on a fresh queue its use counter wraps and
// the entry is never dropped. The emulator takes the less forgiving side: once a queue has its
// client, it keeps it.
import type { Clock } from '../../clock.js';
import { OneAtATime } from './one-at-a-time.js';

/** How long a new pool client takes to connect before later calls find it (a NATS and a stan handshake in the server's memory). */
export const RECEIVER_CONNECT_MS = 10;

export class ReceiverLanes {
  readonly #lanes = new Map<string, OneAtATime>();
  #closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly connectMs = RECEIVER_CONNECT_MS,
  ) {}

  /** Runs `task` once the queue's client is free (first come, first served), and frees it after. */
  run<T>(channel: string, task: () => Promise<T>): Promise<T> {
    return (this.#lanes.get(channel) ?? this.#connect(channel)).run(task);
  }

  /** Forgets the clients (the broker stops); nothing is scheduled after this. */
  close(): void {
    this.#closed = true;
    this.#lanes.clear();
  }

  /** A new client: usable by its caller at once, found by others only once connected. */
  #connect(channel: string): OneAtATime {
    const lane = new OneAtATime();
    if (!this.#closed) {
      this.clock.setTimeout(() => {
        if (!this.#closed) this.#lanes.set(channel, lane); // the last one stored wins
      }, this.connectMs);
    }
    return lane;
  }
}
