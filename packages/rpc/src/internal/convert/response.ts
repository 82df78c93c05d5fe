import { bodyJson, bodyText, type Tags } from '@kubemq/core';
import type { Response } from '@kubemq/core/internal';
import type { CommandResponse } from '../types/command.js';
import type { QueryResponse } from '../types/query.js';
import { responseTimestampToDate } from './executed-at.js';

/**
 * The broker clears a command response's body, metadata and cache flag (docs/broker-behaviour.md §2.3), so
 * a command response has none. `sentId` stands in if a broker ever omits the request id.
 */
export function toCommandResponse(wire: Response, sentId: string): CommandResponse {
  return {
    id: wire.RequestID || sentId,
    executed: wire.Executed,
    error: wire.Error === '' ? undefined : wire.Error,
    executedAt: responseTimestampToDate(wire.Timestamp),
    tags: wire.Tags,
    responderId: wire.ClientID,
  };
}

class ReceivedQueryResponse implements QueryResponse {
  readonly id: string;
  readonly executed: boolean;
  readonly error: string | undefined;
  readonly executedAt: Date | undefined;
  readonly body: Uint8Array;
  readonly metadata: string;
  readonly tags: Tags;
  readonly cacheHit: boolean;
  readonly responderId: string;

  constructor(wire: Response, sentId: string) {
    this.id = wire.RequestID || sentId;
    this.executed = wire.Executed;
    this.error = wire.Error === '' ? undefined : wire.Error;
    this.executedAt = responseTimestampToDate(wire.Timestamp);
    this.body = wire.Body; // the decoder's view of the received bytes (no copy)
    this.metadata = wire.Metadata;
    this.tags = wire.Tags;
    this.cacheHit = wire.CacheHit;
    this.responderId = wire.ClientID;
  }

  text(): string {
    return bodyText(this.body);
  }

  json<T = unknown>(): T {
    return bodyJson(this.body) as T;
  }
}

/** A query's response is passed through by the broker (only `ReplyChannel` cleared). */
export function toQueryResponse(wire: Response, sentId: string): QueryResponse {
  return new ReceivedQueryResponse(wire, sentId);
}
