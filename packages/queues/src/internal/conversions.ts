// Wire messages → the public shapes. Nanosecond timestamps become Dates (0 means "not set").
import {
  brokerError,
  nanosToDate,
  type QueueMessage as WireQueueMessage,
  type QueuesInfo as WireQueuesInfo,
  type SendQueueMessageResult,
} from '@kubemq/core/internal';
import type {
  QueueBatchSendResult,
  QueueInfo,
  QueueMessageReceive,
  QueuePolicy,
  QueueSendFailure,
  QueueSendResult,
  QueuesInfo,
} from '../types.js';

const decoder = /* @__PURE__ */ new TextDecoder();

/** Unix ns → Date; 0 (the wire's "unset") → undefined. */
export function optionalDate(ns: bigint | undefined): Date | undefined {
  return ns === undefined || ns === 0n ? undefined : nanosToDate(ns);
}

/** A wire 64-bit counter → number (queue counters stay far below 2^53). */
export function toNumber(value: bigint | number | undefined): number {
  return value === undefined ? 0 : Number(value);
}

/**
 * One wire result → a stored message's result, or a failure carrying the broker's error (not
 * thrown here). The broker stamps `SentAt` on every message it stored. In a batch (and an
 * upstream request) a message its store refused at once (too large for it once wrapped, or a
 * store connection just closed) keeps the result it had before: no error, and no `SentAt`.
 */
export function toSendResult(wire: SendQueueMessageResult, ctx: { operation: string; channel?: string }): QueueSendResult | QueueSendFailure {
  if (wire.IsError || wire.SentAt === 0n) {
    const text = wire.IsError
      ? wire.Error || 'the broker reported an error without text'
      : 'the broker did not store this message: its result has no error and no store time, which it answers when its store refused the message at once';
    return { id: wire.MessageID, error: brokerError(text, ctx) };
  }
  return {
    id: wire.MessageID,
    sentAt: optionalDate(wire.SentAt) as Date,
    delayedTo: optionalDate(wire.DelayedTo),
    expiresAt: optionalDate(wire.ExpirationAt),
  };
}

/** Whether a batch entry is a failure. */
export function isSendFailure(result: QueueSendResult | QueueSendFailure): result is QueueSendFailure {
  return 'error' in result;
}

/**
 * Per-message results of a batch, matched to the sent messages by position. The failure count is
 * computed from the results: the broker's `HaveErrors` and the upstream's `IsError` miss validation
 * failures (docs/broker-behaviour.md §6). A result the broker left out counts as failed.
 */
export function toBatchResult(
  batchId: string,
  sent: readonly WireQueueMessage[],
  results: readonly SendQueueMessageResult[],
  operation: string,
): QueueBatchSendResult {
  const mapped = sent.map((msg, i): QueueSendResult | QueueSendFailure => {
    const wire = results[i];
    if (wire === undefined) {
      return { id: msg.MessageID, error: brokerError('the broker returned no result for this message', { operation, channel: msg.Channel }) };
    }
    return toSendResult(wire, { operation, channel: msg.Channel });
  });
  return { batchId, results: mapped, failed: mapped.filter(isSendFailure).length };
}

export function toPolicy(wire: WireQueueMessage['Policy']): QueuePolicy {
  const policy: QueuePolicy = {};
  if (!wire) return policy;
  if (wire.DelaySeconds) policy.delaySeconds = wire.DelaySeconds;
  if (wire.ExpirationSeconds) policy.expirationSeconds = wire.ExpirationSeconds;
  if (wire.MaxReceiveCount) policy.maxReceiveCount = wire.MaxReceiveCount;
  if (wire.MaxReceiveQueue) policy.deadLetterQueue = wire.MaxReceiveQueue;
  return policy;
}

/**
 * A received message (simple receive, peek and poll; a polled message extends it). A class, so every
 * message has one shape, built field by field; `text()` and `json()` stay own functions, so
 * `const { text } = message` keeps working, and every field is an own property, as in a literal.
 */
export class ReceivedMessage implements QueueMessageReceive {
  readonly id: string;
  readonly channel: string;
  readonly body: Uint8Array;
  readonly metadata: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly clientId: string;
  readonly sequence: number;
  readonly timestamp: Date;
  readonly timestampNanos: bigint;
  readonly receiveCount: number;
  readonly reRouted: boolean;
  readonly reRoutedFromQueue: string | undefined;
  readonly expiresAt: Date | undefined;
  readonly delayedTo: Date | undefined;
  readonly policy: Readonly<QueuePolicy>;
  readonly text: () => string;
  readonly json: <T = unknown>() => T;

  constructor(wire: WireQueueMessage) {
    const attrs = wire.Attributes;
    const timestampNanos = attrs?.Timestamp ?? 0n;
    const body = wire.Body; // the decoder's view of the received bytes (no copy)
    this.id = wire.MessageID;
    this.channel = wire.Channel;
    this.body = body;
    this.metadata = wire.Metadata;
    this.tags = wire.Tags; // the decoder's own object, made for this message
    this.clientId = wire.ClientID;
    this.sequence = toNumber(attrs?.Sequence);
    this.timestamp = nanosToDate(timestampNanos);
    this.timestampNanos = timestampNanos;
    this.receiveCount = attrs?.ReceiveCount ?? 0;
    this.reRouted = attrs?.ReRouted ?? false;
    this.reRoutedFromQueue = attrs?.ReRoutedFromQueue ? attrs.ReRoutedFromQueue : undefined;
    this.expiresAt = optionalDate(attrs?.ExpirationAt);
    this.delayedTo = optionalDate(attrs?.DelayedTo);
    this.policy = toPolicy(wire.Policy);
    this.text = () => decoder.decode(body);
    this.json = <T>() => JSON.parse(decoder.decode(body)) as T;
  }
}

/** The fields every received message has (simple receive, peek and poll). */
export function toReceivedMessage(wire: WireQueueMessage): QueueMessageReceive {
  return new ReceivedMessage(wire);
}

/** A {@link QueuesInfo} whose queue names `info()` may still set to the names asked for. */
export type QueuesInfoDraft = Omit<QueuesInfo, 'queues'> & { readonly queues: { -readonly [K in keyof QueueInfo]: QueueInfo[K] }[] };

export function toQueuesInfo(wire: WireQueuesInfo | undefined): QueuesInfoDraft {
  const queues: QueuesInfoDraft['queues'] = (wire?.Queues ?? []).map((q) => ({
    name: q.Name,
    messages: toNumber(q.Messages),
    bytes: toNumber(q.Bytes),
    firstSequence: toNumber(q.FirstSequence),
    lastSequence: toNumber(q.LastSequence),
    sent: toNumber(q.Sent),
    delivered: toNumber(q.Delivered),
    waiting: toNumber(q.Waiting),
    subscribers: toNumber(q.Subscribers),
  }));
  return {
    totalQueues: wire?.TotalQueue ?? 0,
    sent: toNumber(wire?.Sent),
    delivered: toNumber(wire?.Delivered),
    waiting: toNumber(wire?.Waiting),
    queues,
  };
}
