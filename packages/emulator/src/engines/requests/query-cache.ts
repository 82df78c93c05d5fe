// Emulator-only query cache (the open-source server has none, broker-behaviour.md §0 item 5, §2.3):
// a response to a query with CacheKey and CacheTTL > 0 answers later queries with the same key
// on the same channel, with CacheHit:true, until TTL seconds have passed.
import type { Clock } from '../../clock.js';
import type { Response } from '../../generated/kubemq.js';

export class QueryCache {
  private readonly entries = new Map<string, { response: Response; expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  private static key(channel: string, cacheKey: string): string {
    return `${channel}\u0000${cacheKey}`;
  }

  get(channel: string, cacheKey: string): Response | undefined {
    const k = QueryCache.key(channel, cacheKey);
    const e = this.entries.get(k);
    if (!e) return undefined;
    if (this.clock.nowMs() >= e.expiresAt) {
      this.entries.delete(k);
      return undefined;
    }
    return { ...e.response, CacheHit: true };
  }

  set(channel: string, cacheKey: string, ttlSeconds: number, response: Response): void {
    if (this.entries.size > 100_000) this.sweep();
    this.entries.set(QueryCache.key(channel, cacheKey), { response, expiresAt: this.clock.nowMs() + ttlSeconds * 1000 });
  }

  private sweep(): void {
    const now = this.clock.nowMs();
    for (const [k, e] of this.entries) if (now >= e.expiresAt) this.entries.delete(k);
  }
}
