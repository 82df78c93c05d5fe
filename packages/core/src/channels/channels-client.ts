import type { CallOptions } from '../client/call-options.js';
import type { KubemqClient } from '../client/kubemq-client.js';
import type { ClientInternals } from '../internal/connection/client-internals.js';
import { clientInternals } from '../internal/connection/internals-key.js';
import { newId } from '../internal/conversions/id.js';
import { MAX_INT32 } from '../internal/conversions/time.js';
import { TimeoutError, type KubemqError } from '../internal/errors/kubemq-error.js';
import { brokerError, mapError } from '../internal/errors/map-error.js';
import { Request, Request_RequestType, Response } from '../internal/generated/kubemq.js';
import { computeBackoff } from '../internal/recovery/backoff.js';
import { sleep } from '../internal/recovery/sleep.js';
import { unaryMethod } from '../internal/transport/method-descriptor.js';
import { monotonicNow } from '../internal/util/monotonic.js';
import { requestDeadlineMs } from '../internal/util/request-deadline.js';
import { validateChannel } from '../internal/validation/channel.js';
import { fail } from '../internal/validation/fail.js';
import { readCallOptions } from '../internal/validation/call-options.js';
import { validatePositiveInt } from '../internal/validation/numbers.js';
import { CHANNEL_TYPES, parseChannelList, type ChannelInfo, type ChannelType } from './channel-info.js';

/** The broker's internal channel that serves channel management (commercial KubeMQ only). */
export const CHANNEL_MANAGEMENT_CHANNEL = 'kubemq.cluster.internal.requests';
/** Declared here, not with the client's own methods: only an app that calls channels() bundles it. */
const SEND_REQUEST = /* @__PURE__ */ unaryMethod('SendRequest', Request, Response);
const EMPTY_BODY = /* @__PURE__ */ Buffer.alloc(0);
/** `cluster snapshot not ready` is transient: a few quick retries. */
const SNAPSHOT_RETRIES = { initialDelayMs: 200, maxDelayMs: 1000, multiplier: 2, maxAttempts: 4 };

/** The channel that {@link ChannelsClient.create} and {@link ChannelsClient.delete} act on. */
export interface ChannelOptions {
  /** The kind of channel. */
  type: ChannelType;
  /** The channel name (no wildcards). */
  channel: string;
}

/** What {@link ChannelsClient.list} lists. */
export interface ChannelListOptions {
  /** The kind of channel to list. */
  type: ChannelType;
  /** Only channels whose name matches this search (the broker's own matching). Default: all. */
  search?: string | undefined;
}

/**
 * Channel management: create, delete and list channels of each type. Get one with
 * {@link channels}.
 *
 * Each call is a query to the broker's internal channel `kubemq.cluster.internal.requests`, which
 * only the commercial KubeMQ server answers. **The open-source server (kubemq-community) has no
 * responder there**: these calls then fail with a TimeoutError that says so, once their
 * `timeoutMs` has passed. On that server channels are created on first use. To empty a queue, use
 * the queues package.
 *
 * The broker waits for its responder for the call's `timeoutMs` (default the client's
 * `defaultTimeoutMs`), retries included; the client waits a little longer (10 %, at least a
 * second) for the broker's answer.
 */
export interface ChannelsClient {
  /**
   * Creates a channel.
   *
   * @throws ValidationError for a bad type or channel (nothing is sent); TimeoutError when no
   *   responder answers in time (always on the open-source server); KubemqError `BROKER` when the
   *   broker refuses.
   */
  create(channel: ChannelOptions, options?: CallOptions): Promise<void>;
  /**
   * Deletes a channel.
   *
   * @throws as {@link ChannelsClient.create}.
   */
  delete(channel: ChannelOptions, options?: CallOptions): Promise<void>;
  /**
   * Lists the channels of a type, optionally only those matching `search`.
   *
   * @throws as {@link ChannelsClient.create}, and KubemqError `BROKER` for a reply that is not a
   *   channel list.
   */
  list(filter: ChannelListOptions, options?: CallOptions): Promise<ChannelInfo[]>;
}

/**
 * Channel management for a client. A function rather than a member of the client, so an app
 * that never calls it does not bundle it.
 *
 * @throws ValidationError when `client` is not a KubemqClient.
 *
 * @example
 * ```ts
 * import { KubemqClient, channels } from '@kubemq/core';
 *
 * await using client = await KubemqClient.connect({ address: 'localhost:50000' });
 * await channels(client).create({ type: 'queues', channel: 'orders' });
 * const listed = await channels(client).list({ type: 'queues', search: 'orders' });
 * console.log(listed.map((c) => `${c.name}: ${c.incoming.messages} in, last active ${c.lastActivityAt.toISOString()}`));
 * ```
 */
export function channels(client: KubemqClient): ChannelsClient {
  const internals = clientInternals(client, 'channels');
  return {
    async create(channel, options) {
      await query(internals, 'create-channel', 'channels.create', channelTags(channel, false), options);
    },
    async delete(channel, options) {
      await query(internals, 'delete-channel', 'channels.delete', channelTags(channel, true), options);
    },
    async list(filter, options) {
      const type = checkType(objectOf(filter, 'filter').type);
      const { search } = filter;
      if (search !== undefined && typeof search !== 'string') fail('search', 'must be a string');
      const body = await query(internals, 'list-channels', 'channels.list', { channel_type: type, ...(search && { channel_search: search }) }, options);
      return parseChannelList(body);
    },
  };
}

/**
 * One query to the channel-management responder. The broker waits for its responder at most
 * `timeoutMs` in all, retries of `cluster snapshot not ready` included: each attempt asks it for
 * the time left, and gives its answer (an `Error 301`) a margin to arrive before the client's deadline.
 */
async function query(client: ClientInternals, metadata: string, operation: string, tags: Record<string, string>, options: CallOptions | undefined): Promise<Uint8Array> {
  const { signal, timeoutMs: given } = readCallOptions(options, operation);
  // The broker takes it as the request's int32 Timeout.
  const timeoutMs = validatePositiveInt(given ?? client.options.defaultTimeoutMs, 'timeoutMs', { max: MAX_INT32 });
  const deadline = monotonicNow() + timeoutMs;
  const ctx = { operation, ...(tags['channel'] !== undefined && { channel: tags['channel'] }) };
  let refused: KubemqError | undefined;
  for (let attempt = 0; ; attempt++) {
    const left = Math.ceil(deadline - monotonicNow());
    // The backoff before this retry used up the time: the broker's refusal stands.
    if (refused && left < 1) throw refused;
    const request: Request = {
      RequestID: newId(),
      RequestTypeData: Request_RequestType.Query,
      ClientID: client.clientId,
      Channel: CHANNEL_MANAGEMENT_CHANNEL,
      Metadata: metadata,
      Body: EMPTY_BODY,
      ReplyChannel: '',
      Timeout: left,
      CacheKey: '',
      CacheTTL: 0,
      Span: EMPTY_BODY,
      Tags: { ...tags, client_id: client.clientId },
    };
    let response;
    try {
      response = await client.unary(SEND_REQUEST, request, {
        ...ctx,
        timeoutMs: requestDeadlineMs(left),
        // Unsent (the client is reconnecting), there is no broker answer to wait for.
        maxWaitMs: left,
        // Sent late: the broker waits only for what is left.
        onDispatch: (waitedMs) => {
          request.Timeout = left - Math.ceil(waitedMs);
          if (request.Timeout < 1) throw notSent(ctx, timeoutMs);
        },
        ...(signal && { signal }),
      });
    } catch (err) {
      const error = mapError(err, ctx);
      // Error 301 (the broker's request timeout) or our own deadline: nobody answered. One that
      // was never sent (the client was reconnecting) says so itself.
      throw error.code === 'TIMEOUT' && (error as TimeoutError).sent !== false ? noResponder(ctx, timeoutMs, error) : error;
    }
    if (!response.Error) return response.Body;
    refused = brokerError(response.Error, ctx);
    const delay = computeBackoff(SNAPSHOT_RETRIES, attempt);
    const retry = /cluster snapshot not ready/i.test(response.Error) && attempt + 1 < SNAPSHOT_RETRIES.maxAttempts && monotonicNow() + delay < deadline;
    if (!retry) throw refused;
    await sleep(delay, signal).catch((e: unknown) => Promise.reject(mapError(e, ctx)));
  }
}

function objectOf<T>(value: T, field: string): T {
  if (typeof value !== 'object' || value === null) fail(field, 'must be an object');
  return value;
}

/**
 * The request tags naming one channel, validated (nothing is sent when it is bad). An `existing`
 * one (to delete) may have a name the broker takes but cannot deliver from, as another client made it.
 */
function channelTags(target: ChannelOptions, existing: boolean): Record<string, string> {
  const type = checkType(objectOf(target, 'channel').type);
  return { channel_type: type, channel: validateChannel(target.channel, { pattern: type, field: 'channel', existing }) };
}

function checkType(type: unknown): ChannelType {
  if (!CHANNEL_TYPES.includes(type as ChannelType)) fail('type', `must be one of ${CHANNEL_TYPES.join(', ')} (got ${JSON.stringify(type)})`);
  return type as ChannelType;
}

/** The connection came back with none of the call's time left: the query was never sent. */
function notSent(ctx: { operation: string; channel?: string }, timeoutMs: number): TimeoutError {
  return new TimeoutError({
    message: `${ctx.operation}: not sent within ${timeoutMs} ms: the client was reconnecting for the whole timeout`,
    operation: ctx.operation,
    ...(ctx.channel !== undefined && { channel: ctx.channel }),
    timeoutMs,
    retryable: true,
    sent: false,
  });
}

function noResponder(ctx: { operation: string; channel?: string }, timeoutMs: number, cause: KubemqError): TimeoutError {
  return new TimeoutError({
    message:
      `${ctx.operation}: no answer from ${CHANNEL_MANAGEMENT_CHANNEL} within ${timeoutMs} ms. ` +
      'The open-source KubeMQ server (kubemq-community) has no channel-management responder: ' +
      'it creates channels on first use and cannot delete or list them over gRPC (use the commercial server, ' +
      'or its dashboard API). Against a commercial server, the responder did not answer in time.',
    operation: ctx.operation,
    ...(ctx.channel !== undefined && { channel: ctx.channel }),
    timeoutMs,
    retryable: false,
    sent: true,
    cause,
  });
}
