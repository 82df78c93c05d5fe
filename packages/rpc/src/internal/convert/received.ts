import { bodyJson, bodyText, type Tags } from '@kubemq/core';
import type { Request } from '@kubemq/core/internal';
import type { CommandReceive } from '../types/command.js';
import type { QueryReceive } from '../types/query.js';

/** A received command or query: plain data fields plus text()/json() on the prototype. */
class ReceivedRequest implements CommandReceive, QueryReceive {
  readonly id: string;
  readonly channel: string;
  readonly body: Uint8Array;
  readonly metadata: string;
  readonly tags: Tags;
  readonly replyChannel: string;
  readonly clientId: string;
  readonly timeoutMs: number;
  readonly cacheKey: string | undefined;
  readonly cacheTtlSeconds: number | undefined;

  constructor(wire: Request) {
    this.id = wire.RequestID;
    this.channel = wire.Channel;
    this.body = wire.Body; // the decoder's view of the received bytes (no copy)
    this.metadata = wire.Metadata;
    this.tags = wire.Tags;
    this.replyChannel = wire.ReplyChannel;
    this.clientId = wire.ClientID;
    this.timeoutMs = wire.Timeout;
    this.cacheKey = wire.CacheKey === '' ? undefined : wire.CacheKey;
    this.cacheTtlSeconds = wire.CacheTTL > 0 ? wire.CacheTTL : undefined;
  }

  text(): string {
    return bodyText(this.body);
  }

  json<T = unknown>(): T {
    return bodyJson(this.body) as T;
  }
}

/** A wire `Request` as a responder sees it. */
export function toCommandReceive(wire: Request): CommandReceive {
  return new ReceivedRequest(wire);
}

/** A wire `Request` as a responder sees it. */
export function toQueryReceive(wire: Request): QueryReceive {
  return new ReceivedRequest(wire);
}
