import {
  type Response,
  Response as ResponseCodec,
  deliveryBound,
  requireEncodedFits,
  requireObject,
  tagsTextLength,
  validateBody,
  validateChannel,
  validateMetadata,
  validateTags,
} from '@kubemq/core/internal';
import type { CommandHandlerResult, CommandReply } from '../types/command.js';
import type { QueryHandlerResult, QueryReply } from '../types/query.js';
import type { RequestKind } from '../kind.js';
import { NO_SPAN, toBuffer } from './request.js';
import { invalid, optionalString, requireNonEmptyString } from './invalid.js';
import { executedAtToWire } from '../convert/executed-at.js';

export interface BuildReplyContext {
  /** The responder's client id (`Response.ClientID`, required by the broker). */
  clientId: string;
  operation: string;
  /** The client's `maxMessageBytes`: a larger body is a ValidationError, not a gRPC failure. */
  maxBodyBytes?: number;
}

/**
 * Validates a reply and builds its wire `Response`. The broker needs the request id and the reply
 * channel it filled in on the request (`Error 117` / `Error 102` otherwise); both are checked here.
 */
export function buildReply(kind: RequestKind, reply: CommandReply | QueryReply, ctx: BuildReplyContext): Response {
  const op = ctx.operation;
  requireObject(reply, 'reply', op);
  const requestId = requireNonEmptyString(reply.requestId, 'requestId', op);
  const replyChannel = validateChannel(reply.replyChannel, { field: 'replyChannel', pattern: kind.name, allowWildcards: false });
  return buildResponse(kind, reply, requestId, replyChannel, ctx);
}

/** Where a handler's reply goes: the request id and reply channel of the received request. */
export interface ReplyTarget {
  RequestID: string;
  ReplyChannel: string;
}

/**
 * Builds the `Response` to a received request from what its handler returned. Only the handler's
 * fields are validated: the request id and reply channel come from the request as the broker
 * delivered them (it generates the id when a sender left it empty and sets its own reply inbox),
 * so checking them again would only cost time; the broker still refuses a response without them.
 */
export function buildHandlerReply(kind: RequestKind, result: CommandHandlerResult | QueryHandlerResult, to: ReplyTarget, ctx: BuildReplyContext): Response {
  requireResult(kind, result, ctx.operation);
  return buildResponse(kind, result, to.RequestID, to.ReplyChannel, ctx);
}

/** What a handler's result may set: an object that is not a plain one needs one of these. */
const RESULT_FIELDS = ['body', 'metadata', 'tags', 'executed', 'error', 'executedAt', 'cacheHit'];

/**
 * Throws unless a handler's result reads as a reply: a plain object, or another object with one of
 * the reply's fields (a class instance that has them is a valid result to TypeScript). Bytes, an
 * array, a string, an Error or a Map returned by mistake would otherwise go out as `executed: true`
 * without the handler's data.
 */
function requireResult(kind: RequestKind, result: unknown, operation: string): void {
  let what: string = typeof result;
  if (typeof result === 'object' && result !== null) {
    const proto = Object.getPrototypeOf(result) as object | null;
    // Plain, from this realm or another (its prototype is an Object.prototype, or none).
    if (proto === null || Object.getPrototypeOf(proto) === null) return;
    if (!Array.isArray(result) && !ArrayBuffer.isView(result) && RESULT_FIELDS.some((field) => field in result)) return;
    what = Array.isArray(result) ? 'an array' : ((result as { constructor?: { name?: string } }).constructor?.name ?? 'an object');
  }
  const example = kind.name === 'queries' ? '{ body, metadata, tags }' : '{ tags } (a command answers with no data)';
  throw invalid('reply', `the handler returned ${what}; return nothing or an object such as ${example}`, operation);
}

/** Validates the fields a responder chose (status, error, time, tags, data) and builds the Response. */
function buildResponse(
  kind: RequestKind,
  reply: CommandHandlerResult | QueryHandlerResult,
  requestId: string,
  replyChannel: string,
  ctx: BuildReplyContext,
): Response {
  const op = ctx.operation;
  const error = optionalString(reply.error, 'error', op);
  if (reply.executed !== undefined && typeof reply.executed !== 'boolean') {
    throw invalid('executed', `must be a boolean, got ${typeof reply.executed}`, op);
  }
  const executed = reply.executed ?? (error === undefined || error === '');
  const executedAt = reply.executedAt ?? new Date();
  if (!(executedAt instanceof Date) || Number.isNaN(executedAt.getTime())) {
    throw invalid('executedAt', 'must be a valid Date', op);
  }
  const tags = reply.tags === undefined ? {} : validateTags(reply.tags, 'tags');

  let body: Uint8Array = new Uint8Array(0);
  let metadata = '';
  let cacheHit = false;
  const data = reply as QueryHandlerResult;
  // The requester receives the reply through a NATS subscription, which drops one over 64 MiB.
  const bound = deliveryBound(ctx.maxBodyBytes);
  if (kind.name === 'queries') {
    if (data.body !== undefined) body = validateBody(data.body, 'body', bound.bytes, bound.limit);
    if (data.metadata !== undefined) metadata = validateMetadata(data.metadata, 'metadata');
    if (data.cacheHit !== undefined) {
      if (typeof data.cacheHit !== 'boolean') throw invalid('cacheHit', `must be a boolean, got ${typeof data.cacheHit}`, op);
      cacheHit = data.cacheHit;
    }
  } else if (data.body !== undefined || data.metadata !== undefined || data.cacheHit !== undefined) {
    // The broker clears all three on a command's response: refuse rather than drop them silently.
    const field = data.body !== undefined ? 'body' : data.metadata !== undefined ? 'metadata' : 'cacheHit';
    throw invalid(field, 'a command reply carries no data or cache flag (the broker clears them); use a query', op);
  }

  // Every field set here, so no Response.create() (which copies them all again, tags included).
  const response: Response = {
    ClientID: ctx.clientId,
    RequestID: requestId,
    ReplyChannel: replyChannel,
    Metadata: metadata,
    Body: toBuffer(body),
    CacheHit: cacheHit,
    Timestamp: executedAtToWire(executedAt),
    Executed: executed,
    Error: error ?? '',
    Span: NO_SPAN,
    Tags: tags,
  };
  const text = requestId.length + replyChannel.length + ctx.clientId.length + metadata.length + response.Error.length + tagsTextLength(tags);
  requireEncodedFits('reply', body.byteLength, text, () => ResponseCodec.encode(response).finish().length, bound);
  return response;
}
