// stan client ids (broker-behaviour.md §2.2): one live connection per ClientID. The server closes a
// subscription's connection asynchronously, so an id stays taken for a short while after the
// stream ends (clientIdReleaseMs); clients must retry `clientID already registered` with backoff.
import type { Clock, TimerHandle } from '../../clock.js';
import { StanError, checkStanClientId } from './stan.js';

export interface ClientLease {
  readonly clientId: string;
  /** Frees the id now (a request that failed validation) or after the release window (a stream that ended). */
  release(afterWindow: boolean): void;
}

export class ClientRegistry {
  private readonly taken = new Map<string, { timer?: TimerHandle }>();

  constructor(
    private readonly clock: Clock,
    private readonly releaseMs: number,
  ) {}

  isTaken(clientId: string): boolean {
    return this.taken.has(clientId);
  }

  /** Takes the id, or throws the stan error a second connection gets. */
  register(clientId: string): ClientLease {
    if (this.taken.has(clientId)) throw new StanError('client-id-registered');
    checkStanClientId(clientId);
    const slot: { timer?: TimerHandle } = {};
    this.taken.set(clientId, slot);
    let released = false;
    return {
      clientId,
      release: (afterWindow) => {
        if (released) return;
        released = true;
        if (!afterWindow || this.releaseMs === 0) {
          this.taken.delete(clientId);
          return;
        }
        slot.timer = this.clock.setTimeout(() => {
          if (this.taken.get(clientId) === slot) this.taken.delete(clientId);
        }, this.releaseMs);
      },
    };
  }

  close(): void {
    for (const slot of this.taken.values()) if (slot.timer) this.clock.clearTimeout(slot.timer);
    this.taken.clear();
  }
}
