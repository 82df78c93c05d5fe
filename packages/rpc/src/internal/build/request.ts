import {
  type Request,
  Request as RequestCodec,
  MAX_INT32, // Request.Timeout and Request.CacheTTL are int32
  deliveryBound,
  newId,
  requireEncodedFits,
  requireKnownKeys,
  requireObject,
  tagsTextLength,
  requireNonEmptyMessage,
  validateBody,
  validateChannel,
  validateMetadata,
  validatePositiveInt,
  validateTags,
} from '@kubemq/core/internal';
import type { Command } from '../types/command.js';
import type { Query } from '../types/query.js';
import type { RequestKind } from '../kind.js';
import { RESERVED_TAG_PREFIX } from '../serve/probe-tags.js';
import { invalid, optionalString, validateId } from './invalid.js';

const COMMAND_KEYS: readonly (keyof Command)[] = ['channel', 'body', 'metadata', 'tags', 'id', 'timeoutMs'];
const QUERY_KEYS: readonly (keyof Query)[] = [...COMMAND_KEYS, 'cacheKey', 'cacheTtlSeconds'];
// kubemq-js's names (and 0.1's cacheTtlMs): ignored, the client's default timeout or no cache
// took over, in a unit that differs between the two.
const REQUEST_RENAMED = {
  timeout: 'timeoutMs (milliseconds: how long the broker waits for a responder)',
  cacheTTL: 'cacheTtlSeconds (whole seconds)',
  cacheTtlMs: 'cacheTtlSeconds (whole seconds)',
  clientId: "KubemqClient.connect({ clientId }): a request carries its client's",
};

/** The wire's unused `Span` field: empty (so never encoded), shared, never written to. */
export const NO_SPAN: Buffer = /* @__PURE__ */ Buffer.alloc(0);

export interface BuildRequestContext {
  /** The sender's client id (`Request.ClientID`). */
  clientId: string;
  /** Used when the message sets no timeout: the client's `defaultTimeoutMs`. */
  defaultTimeoutMs: number;
  /** For errors, e.g. `commands.send`. */
  operation: string;
  /**
   * The client's `maxMessageBytes`: a larger body, or a larger request, is a ValidationError, not a
   * gRPC failure. So is one over what the broker can deliver to a responder (64 MiB).
   */
  maxBodyBytes?: number;
  /** Readiness probes carry reserved tags; user messages may not. */
  allowReservedTags?: boolean;
}

export interface BuiltRequest {
  wire: Request;
  id: string;
  channel: string;
  /** The request's timeout in ms (what the broker waits for a responder). */
  timeoutMs: number;
}

/**
 * Validates a command or query and builds its wire `Request`. Throws a ValidationError naming
 * the field on bad input, before anything is sent (the checks of docs/broker-behaviour.md §3 and more).
 */
export function buildRequest(kind: RequestKind, message: Command | Query, ctx: BuildRequestContext): BuiltRequest {
  const op = ctx.operation;
  const noun = kind.name === 'commands' ? 'command' : 'query';
  requireObject(message, noun, op);
  // A key a command or query does not have is refused, not ignored (a command has no cache).
  requireKnownKeys(message, kind.name === 'queries' ? QUERY_KEYS : COMMAND_KEYS, '', REQUEST_RENAMED);
  const channel = validateChannel(message.channel, { field: 'channel', pattern: kind.name, allowWildcards: false });
  const id = message.id === undefined ? newId() : validateId(message.id, 'id', op);
  // A responder receives the request through a NATS subscription, which drops one over 64 MiB.
  const bound = deliveryBound(ctx.maxBodyBytes);
  const body = message.body === undefined ? new Uint8Array(0) : validateBody(message.body, 'body', bound.bytes, bound.limit);
  const metadata = message.metadata === undefined ? '' : validateMetadata(message.metadata, 'metadata');
  const tags = message.tags === undefined ? {} : validateTags(message.tags, 'tags');
  if (!ctx.allowReservedTags) {
    for (const key of Object.keys(tags)) {
      if (key.startsWith(RESERVED_TAG_PREFIX)) {
        throw invalid(`tags.${key}`, `tags starting with "${RESERVED_TAG_PREFIX}" are reserved for readiness probes`, op, channel);
      }
    }
  }
  // Error 115: the broker rejects a request with neither body nor metadata (tags do not count).
  requireNonEmptyMessage(body, metadata, 'body');
  // The client's default may be longer than the wire's int32 allows (timers are capped): the longest then.
  const timeoutMs = validatePositiveInt(message.timeoutMs ?? Math.min(ctx.defaultTimeoutMs, MAX_INT32), 'timeoutMs', { min: 1, max: MAX_INT32, integer: true });

  let cacheKey = '';
  let cacheTtlSeconds = 0;
  if (kind.name === 'queries') {
    const query = message as Query;
    cacheKey = optionalString(query.cacheKey, 'cacheKey', op) ?? '';
    if (query.cacheTtlSeconds !== undefined) {
      // Whole seconds, the wire's unit: never rounded.
      cacheTtlSeconds = validatePositiveInt(query.cacheTtlSeconds, 'cacheTtlSeconds', { min: 1, max: MAX_INT32, integer: true });
    }
    // Error 116: the broker rejects a cache key without a positive TTL.
    if (cacheKey !== '' && cacheTtlSeconds === 0) {
      throw invalid('cacheTtlSeconds', 'is required when cacheKey is set (a positive whole number of seconds)', op, channel);
    }
  }

  // Every field set here, so no Request.create() (which copies them all again, tags included).
  const wire: Request = {
    RequestID: id,
    RequestTypeData: kind.requestType as Request['RequestTypeData'],
    ClientID: ctx.clientId,
    Channel: channel,
    Metadata: metadata,
    Body: toBuffer(body),
    ReplyChannel: '',
    Timeout: timeoutMs,
    CacheKey: cacheKey,
    CacheTTL: cacheTtlSeconds,
    Span: NO_SPAN,
    Tags: tags,
  };
  requireRequestFits(kind, wire, ctx.maxBodyBytes);
  return { wire, id, channel, timeoutMs };
}

/**
 * The request, encoded, must fit the client's `maxMessageBytes` and what the broker can deliver;
 * checked when it is built, and again once the trace context is in its tags (see tracedSend).
 */
export function requireRequestFits(kind: RequestKind, wire: Request, maxBodyBytes: number | undefined): void {
  const text = wire.RequestID.length + wire.ClientID.length + wire.Channel.length + wire.Metadata.length + wire.CacheKey.length + tagsTextLength(wire.Tags);
  const noun = kind.name === 'commands' ? 'command' : 'query';
  requireEncodedFits(noun, wire.Body.byteLength, text, () => RequestCodec.encode(wire).finish().length, deliveryBound(maxBodyBytes));
}

/** The codecs type bytes as Buffer; a view shares the memory, no copy. */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
