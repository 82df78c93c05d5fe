import type { ClientInternals, Request } from '@kubemq/core/internal';

/**
 * The requests a client's raw subscriptions (`subscribe()`) delivered and nobody has replied to
 * yet. close() waits for them: a reply refused because the client was closing would leave its
 * sender to time out on a request that ran, and perhaps send it again.
 */
export class RequestsInHand {
  /**
   * Request id → how many are in hand and when the last of their senders stops waiting
   * (performance.now() ms). Senders may choose ids, so two in hand can share one.
   */
  readonly #deadlines = new Map<string, { count: number; at: number }>();
  /** Past this many, expired entries are swept (a subscriber that never replies, a monitor). */
  #sweepAt = 1024;
  /** settled() calls waiting for a reply (one per draining subscription). */
  readonly #wakers = new Set<() => void>();
  /**
   * How long a request that came without its sender's timeout (some servers clear it to 0) stays in
   * hand: it is waited for, not taken as expired, but a subscriber that never replies must not
   * grow the map without bound.
   */
  readonly #unknownWaitMs: number;

  /** `unknownWaitMs`: the client's `defaultTimeoutMs`. */
  constructor(unknownWaitMs: number) {
    this.#unknownWaitMs = unknownWaitMs;
  }

  /** Ids of the requests in hand (some may have expired since the last sweep). */
  get size(): number {
    return this.#deadlines.size;
  }

  delivered(request: Request): void {
    const at = performance.now() + (request.Timeout > 0 ? request.Timeout : this.#unknownWaitMs);
    const held = this.#deadlines.get(request.RequestID);
    if (held) {
      held.count++;
      held.at = Math.max(held.at, at);
    } else this.#deadlines.set(request.RequestID, { count: 1, at });
    if (this.#deadlines.size >= this.#sweepAt) {
      this.#sweep(performance.now());
      this.#sweepAt = Math.max(1024, this.#deadlines.size * 2);
    }
  }

  replied(requestId: string): void {
    const held = this.#deadlines.get(requestId);
    if (!held) return;
    if (--held.count === 0) this.#deadlines.delete(requestId);
    for (const wake of this.#wakers) wake();
  }

  /**
   * Resolves once every request in hand is replied to or past its sender's timeout. Its timer does
   * not keep the process alive (close() does while it drains, and stops waiting at its drain time).
   */
  async settled(): Promise<void> {
    for (;;) {
      const now = performance.now();
      const latest = this.#sweep(now);
      if (this.#deadlines.size === 0) return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, latest - now);
        timer.unref();
        this.#wakers.add(wake);
      });
    }
  }

  /** Drops the entries whose senders gave up by `now`; returns the latest deadline left. */
  #sweep(now: number): number {
    let latest = now;
    for (const [id, { at }] of this.#deadlines) {
      if (at <= now) this.#deadlines.delete(id);
      else if (at > latest) latest = at;
    }
    return latest;
  }
}

const perClient = new WeakMap<ClientInternals, RequestsInHand>();

/** The client's requests in hand (one set per client, whichever commands() or queries() wraps it). */
export function requestsInHand(internals: ClientInternals): RequestsInHand {
  let inHand = perClient.get(internals);
  if (!inHand) {
    inHand = new RequestsInHand(internals.options.defaultTimeoutMs);
    perClient.set(internals, inHand);
  }
  return inHand;
}
