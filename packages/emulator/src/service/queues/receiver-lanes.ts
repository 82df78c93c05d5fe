// One queue's simple receives, peeks and AckAlls take turns (§2.4). The server serves them with a
// queue client from a pool keyed by `<channel>-receiver`, and each of those calls holds that
// client's mutex for its whole wait, validation included. A pool entry is stored only once its
// client has connected, so calls that arrive together on a queue with no entry each build a client
// of their own and run side by side (the [seen] pair of 1 s receives on a fresh queue). The pool
// drops an entry idle for a minute, on a watcher that runs once a minute.
import type { Clock, TimerHandle } from '../../clock.js';

/** The server's timings, in ms. */
export interface ReceiverLaneTimings {
  /** How long a new pool client takes to connect before later calls find it. */
  connectMs: number;
  /** How long an idle client stays; the longest the server's watcher can keep one. */
  idleMs: number;
}

/** Connecting a pool client: a NATS and a stan handshake over the server's in-memory pipe. */
export const DEFAULT_RECEIVER_LANE_TIMINGS: ReceiverLaneTimings = { connectMs: 10, idleMs: 120_000 };

/** One pool client: the calls holding or waiting for its mutex, in arrival order. */
interface Lane {
  tail: Promise<void>;
  users: number;
  idleTimer: TimerHandle | undefined;
}

export class ReceiverLanes {
  readonly #lanes = new Map<string, Lane>();
  readonly #timers = new Set<TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly timings: ReceiverLaneTimings = DEFAULT_RECEIVER_LANE_TIMINGS,
  ) {}

  /** Runs `task` once the queue's client is free (first come, first served), and frees it after. */
  run<T>(channel: string, task: () => Promise<T>): Promise<T> {
    const lane = this.#lanes.get(channel) ?? this.#connect(channel);
    lane.users++;
    if (lane.idleTimer) this.#clear(lane.idleTimer);
    lane.idleTimer = undefined;
    const turn = lane.tail.then(task);
    lane.tail = turn.then(
      () => this.#release(channel, lane),
      () => this.#release(channel, lane),
    );
    return turn;
  }

  /** Clears the timers (the broker stops). */
  close(): void {
    for (const timer of this.#timers) this.clock.clearTimeout(timer);
    this.#timers.clear();
    this.#lanes.clear();
  }

  /** A new client: usable by its caller at once, found by others only once connected. */
  #connect(channel: string): Lane {
    const lane: Lane = { tail: Promise.resolve(), users: 0, idleTimer: undefined };
    this.#after(this.timings.connectMs, () => this.#lanes.set(channel, lane)); // the last one stored wins
    return lane;
  }

  #release(channel: string, lane: Lane): void {
    if (--lane.users > 0) return;
    lane.idleTimer = this.#after(this.timings.idleMs, () => {
      lane.idleTimer = undefined;
      if (this.#lanes.get(channel) === lane) this.#lanes.delete(channel);
    });
  }

  #after(ms: number, fn: () => void): TimerHandle {
    const timer = this.clock.setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }

  #clear(timer: TimerHandle): void {
    this.clock.clearTimeout(timer);
    this.#timers.delete(timer);
  }
}
