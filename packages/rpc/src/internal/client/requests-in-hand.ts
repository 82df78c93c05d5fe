import type { ClientInternals, Request } from '@kubemq/core/internal';

/**
 * The requests a client's raw subscriptions (`subscribe()`) delivered and nobody has replied to
 * yet. close() waits for them: a reply refused because the client was closing would leave its
 * sender to time out on a request that ran, and perhaps send it again.
 */
export class RequestsInHand {
  /** Request id → when its sender stops waiting (performance.now() ms). */
  readonly #deadlines = new Map<string, number>();
  /** settled() calls waiting for a reply (one per draining subscription). */
  readonly #wakers = new Set<() => void>();

  delivered(request: Request): void {
    this.#deadlines.set(request.RequestID, performance.now() + request.Timeout);
  }

  replied(requestId: string): void {
    if (this.#deadlines.delete(requestId)) for (const wake of this.#wakers) wake();
  }

  /** Resolves once every request in hand is replied to or past its sender's timeout. */
  async settled(): Promise<void> {
    for (;;) {
      const now = performance.now();
      for (const [id, at] of this.#deadlines) if (at <= now) this.#deadlines.delete(id);
      if (this.#deadlines.size === 0) return;
      const latest = Math.max(...this.#deadlines.values());
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, latest - now);
        this.#wakers.add(wake);
      });
    }
  }
}

const perClient = new WeakMap<ClientInternals, RequestsInHand>();

/** The client's requests in hand (one set per client, whichever commands() or queries() wraps it). */
export function requestsInHand(internals: ClientInternals): RequestsInHand {
  let inHand = perClient.get(internals);
  if (!inHand) {
    inHand = new RequestsInHand();
    perClient.set(internals, inHand);
  }
  return inHand;
}
