import type { CallOptions, KubemqClient } from '../client/kubemq-client.js';
import type { ClientInternals } from '../internal/connection/client-internals.js';
import { clientInternals } from '../internal/connection/internals-key.js';
import { msToSeconds } from '../internal/conversions/time.js';
import { newId } from '../internal/conversions/id.js';
import { TimeoutError, type KubemqError } from '../internal/errors/kubemq-error.js';
import { brokerError, mapError } from '../internal/errors/map-error.js';
import { AckAllQueueMessagesRequest, Request, Request_RequestType } from '../internal/generated/kubemq.js';
import { ACK_ALL_QUEUE_MESSAGES, SEND_REQUEST } from '../internal/methods.js';
import { computeBackoff } from '../internal/recovery/backoff.js';
import { sleep } from '../internal/recovery/sleep.js';
import { validateChannel } from '../internal/validation/channel.js';
import { fail } from '../internal/validation/fail.js';
import { validateSignal } from '../internal/validation/numbers.js';
import { CHANNEL_TYPES, parseChannelList, type ChannelInfo, type ChannelType } from './channel-info.js';

/** The broker's internal channel that serves channel management (commercial KubeMQ only). */
export const CHANNEL_MANAGEMENT_CHANNEL = 'kubemq.cluster.internal.requests';
const REQUEST_TIMEOUT_MS = 10_000;
/** gRPC deadline: the broker's own request timeout plus room for its `Error 301` answer. */
const CALL_TIMEOUT_MS = REQUEST_TIMEOUT_MS + 5_000;
/** `cluster snapshot not ready` is transient: a few quick retries. */
const SNAPSHOT_RETRIES = { initialDelayMs: 200, maxDelayMs: 1000, multiplier: 2, maxAttempts: 4 };

/** Options of {@link ChannelsClient.purgeQueue}. */
export interface PurgeQueueOptions extends CallOptions {
  /** How long the broker collects waiting messages to ack, in ms (whole seconds). Default 1000. */
  waitMs?: number;
}

/**
 * Channel management: create, delete and list channels of each type, and purge a queue.
 *
 * Create, delete and list are queries to the broker's internal channel
 * `kubemq.cluster.internal.requests`, which only the commercial KubeMQ server answers. **The
 * open-source server (kubemq-community) has no responder there**: these calls then fail after
 * 10 s with a TimeoutError that says so. On that server channels are created on first use.
 * `purgeQueue` works everywhere (it acks every waiting message).
 *
 * @example
 * ```ts
 * await client.channels.create('queues', 'orders');
 * const queues = await client.channels.list('queues', 'orders');
 * const purged = await client.channels.purgeQueue('orders');
 * ```
 */
export class ChannelsClient {
  readonly #client: ClientInternals;

  /** Usually reached as `client.channels`. */
  constructor(client: KubemqClient) {
    this.#client = clientInternals(client);
  }

  /** Creates a channel. */
  async create(type: ChannelType, name: string, options: CallOptions = {}): Promise<void> {
    const channel = validateChannel(name, { pattern: checkType(type), field: 'name' });
    await this.#query('create-channel', 'channels.create', { channel_type: type, channel }, options);
  }

  /** Deletes a channel. */
  async delete(type: ChannelType, name: string, options: CallOptions = {}): Promise<void> {
    const channel = validateChannel(name, { pattern: checkType(type), field: 'name' });
    await this.#query('delete-channel', 'channels.delete', { channel_type: type, channel }, options);
  }

  /** Lists the channels of a type, optionally filtered by `search`. */
  async list(type: ChannelType, search?: string, options: CallOptions = {}): Promise<ChannelInfo[]> {
    checkType(type);
    if (search !== undefined && typeof search !== 'string') fail('search', 'must be a string');
    const body = await this.#query('list-channels', 'channels.list', { channel_type: type, ...(search && { channel_search: search }) }, options);
    return parseChannelList(body);
  }

  /**
   * Removes every message waiting in a queue and returns how many (`AckAllQueueMessages`). The
   * broker collects messages for `waitMs` before answering.
   */
  async purgeQueue(name: string, options: PurgeQueueOptions = {}): Promise<number> {
    const channel = validateChannel(name, { pattern: 'queues', field: 'name' });
    const waitSeconds = msToSeconds(options.waitMs ?? 1000, 'waitMs');
    const signal = validateSignal(options.signal);
    const ctx = { operation: 'channels.purgeQueue', channel };
    const response = await this.#client.unary(
      ACK_ALL_QUEUE_MESSAGES,
      AckAllQueueMessagesRequest.create({ RequestID: newId(), ClientID: this.#client.clientId, Channel: channel, WaitTimeSeconds: waitSeconds }),
      { ...ctx, timeoutMs: options.timeoutMs ?? waitSeconds * 1000 + 10_000, ...(signal && { signal }) },
    );
    if (response.IsError) throw brokerError(response.Error, ctx);
    return Number(response.AffectedMessages);
  }

  async #query(metadata: string, operation: string, tags: Record<string, string>, options: CallOptions): Promise<Uint8Array> {
    const signal = validateSignal(options.signal);
    const ctx = { operation, ...(tags['channel'] !== undefined && { channel: tags['channel'] }) };
    for (let attempt = 0; ; attempt++) {
      const request = Request.create({
        RequestID: newId(),
        RequestTypeData: Request_RequestType.Query,
        ClientID: this.#client.clientId,
        Channel: CHANNEL_MANAGEMENT_CHANNEL,
        Metadata: metadata,
        Timeout: REQUEST_TIMEOUT_MS,
        Tags: { ...tags, client_id: this.#client.clientId },
      });
      let response;
      try {
        response = await this.#client.unary(SEND_REQUEST, request, { ...ctx, timeoutMs: options.timeoutMs ?? CALL_TIMEOUT_MS, ...(signal && { signal }) });
      } catch (err) {
        const error = mapError(err, ctx);
        // Error 301 (the broker's request timeout) or our own deadline: nobody answered.
        throw error.code === 'TIMEOUT' ? noResponder(ctx, error) : error;
      }
      if (!response.Error) return response.Body;
      const error = brokerError(response.Error, ctx);
      if (!/cluster snapshot not ready/i.test(response.Error) || attempt + 1 >= SNAPSHOT_RETRIES.maxAttempts) throw error;
      await sleep(computeBackoff(SNAPSHOT_RETRIES, attempt), signal).catch((e: unknown) => Promise.reject(mapError(e, ctx)));
    }
  }
}

function checkType(type: unknown): ChannelType {
  if (!CHANNEL_TYPES.includes(type as ChannelType)) fail('type', `must be one of ${CHANNEL_TYPES.join(', ')} (got ${JSON.stringify(type)})`);
  return type as ChannelType;
}

function noResponder(ctx: { operation: string; channel?: string }, cause: TimeoutError | KubemqError): TimeoutError {
  return new TimeoutError({
    message:
      `${ctx.operation}: no answer from ${CHANNEL_MANAGEMENT_CHANNEL}. ` +
      'The open-source KubeMQ server (kubemq-community) has no channel-management responder: ' +
      'it creates channels on first use and cannot delete or list them over gRPC (use the commercial server, ' +
      'or its dashboard API). Against a commercial server, the responder did not answer in time.',
    operation: ctx.operation,
    ...(ctx.channel !== undefined && { channel: ctx.channel }),
    ...((cause as TimeoutError).timeoutMs !== undefined && { timeoutMs: (cause as TimeoutError).timeoutMs }),
    retryable: false,
    cause,
  });
}
