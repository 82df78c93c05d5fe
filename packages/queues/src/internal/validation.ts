// Everything a caller hands in is checked here, before anything is sent, and each failure names
// the field as the caller wrote it (`messages[3].policy.delaySeconds`).
import { ValidationError, type CallOptions } from '@kubemq/core';
import {
  closedOptions,
  newId,
  readCallOptions,
  requireIdText,
  requireKnownKeys,
  requireObject,
  QueueMessage as WireQueueMessageCodec,
  type QueueMessage as WireQueueMessage,
  requireNonEmptyMessage,
  tagsTextLength,
  validateBody,
  validateChannel,
  validateMetadata,
  validatePositiveInt,
  validateTags,
  type QueueMessagePolicy as WirePolicy,
} from '@kubemq/core/internal';
import type { QueueMessage, QueuePolicy } from '../types.js';
import { DEFAULT_QUEUE_LIMITS, MIN_POLL_WAIT_MS, type QueueLimits } from './limits.js';
import { brokerInfoName } from './info-names.js';

function fail(field: string, problem: string): never {
  throw new ValidationError({ message: `invalid ${field}: ${problem}`, operation: 'validate', field });
}

/** 0.1's names of two limits. */
const LIMITS_RENAMED: Readonly<Record<string, string>> = { maxReceiveMessages: 'maxReceiveItems', maxWaitSeconds: 'maxReceiveWaitSeconds' };

/**
 * `queues(client, { limits })`: each limit given is a whole number (a poll's wait at least
 * MIN_POLL_WAIT_MS, the broker's floor), and a name that is not a limit is refused rather than
 * leaving the default in force unnoticed.
 */
export function validateLimits(value: unknown): QueueLimits {
  const limits: QueueLimits = { ...DEFAULT_QUEUE_LIMITS };
  if (value === undefined) return limits;
  for (const [name, limit] of Object.entries(requireObject(value, 'limits'))) {
    const field = `limits.${name}`;
    if (!Object.prototype.hasOwnProperty.call(DEFAULT_QUEUE_LIMITS, name)) {
      const use = Object.hasOwn(LIMITS_RENAMED, name) ? LIMITS_RENAMED[name] : undefined;
      fail(field, use === undefined ? `is not a queue limit (they are ${Object.keys(DEFAULT_QUEUE_LIMITS).join(', ')})` : `is not a queue limit: use ${use}`);
    }
    if (limit === undefined) continue;
    const min = name === 'maxPollWaitMs' ? MIN_POLL_WAIT_MS : name.endsWith('Seconds') ? 0 : 1;
    limits[name as keyof QueueLimits] = validatePositiveInt(limit, field, { min });
  }
  return limits;
}

/** A queue's name; `sending` for a queue sent to (a message, a requeue), which some servers route by name. */
export function validateQueueChannel(value: unknown, field = 'channel', sending = false): string {
  return validateChannel(value, { field, pattern: 'queues', sending });
}

/** A requeue's `{ channel }`: the queue the messages move to. */
export function validateRequeue(options: unknown): string {
  const o = closedOptions(options, 'validate', ['channel'], undefined, { required: true });
  return validateQueueChannel(o['channel'], 'channel', true);
}

/** A message id: absent → generated; else as requireIdText has it. */
function validateMessageId(value: unknown, field: string): string {
  if (value === undefined || value === null || value === '') return newId();
  return requireIdText(value, field);
}

/** Whole seconds within [0, maxSeconds] (the broker's limit), or `absent` when undefined. */
function wholeSeconds(value: unknown, field: string, maxSeconds: number, absent: number): number {
  if (value === undefined) return absent;
  return validatePositiveInt(value, field, { min: 0, max: maxSeconds });
}

const POLICY_KEYS: readonly (keyof QueuePolicy)[] = ['delaySeconds', 'expirationSeconds', 'maxReceiveCount', 'deadLetterQueue'];
const POLICY_RENAMED = { maxReceiveQueue: 'deadLetterQueue', delayMs: 'delaySeconds (whole seconds)', expirationMs: 'expirationSeconds (whole seconds)' };

// The names kubemq-js and this SDK's 0.1 gave these options, and what to use instead: a foreign
// name would otherwise leave the default in force, in a unit that differs from call to call.
const CALL_OPTIONS_RENAMED = { timeoutMs: '{ timeoutMs } in the call options (the second argument)', signal: '{ signal } in the call options (the second argument)' };
const IN_SECONDS = 'waitTimeoutSeconds (whole seconds: the broker counts seconds here)';
const IN_MS = 'waitTimeoutMs (milliseconds: the broker counts ms here)';
const RECEIVE_KEYS = ['channel', 'maxItems', 'waitTimeoutSeconds'];
const RECEIVE_RENAMED = { ...CALL_OPTIONS_RENAMED, maxNumberOfMessages: 'maxItems', waitTimeoutMs: IN_SECONDS };
const PURGE_KEYS = ['channel', 'waitTimeoutSeconds'];
const PURGE_RENAMED = { ...CALL_OPTIONS_RENAMED, waitTimeoutMs: IN_SECONDS, waitMs: IN_SECONDS };
const POLL_KEYS = ['channel', 'maxItems', 'waitTimeoutMs', 'autoAck'];
const POLL_RENAMED = { ...CALL_OPTIONS_RENAMED, maxNumberOfMessages: 'maxItems', waitTimeoutSeconds: IN_MS };
/** A subscription's (`subscribe()`, `transactions()`) keys and other names. */
export const SUBSCRIPTION_KEYS = [...POLL_KEYS, 'bufferSize', 'signal'];
export const SUBSCRIPTION_RENAMED = POLL_RENAMED;
/** A consumer's keys and other names (0.1's `batchSize`). */
export const CONSUME_KEYS = ['channel', 'maxItems', 'concurrency', 'waitTimeoutMs', 'signal', 'onError'];
export const CONSUME_RENAMED = { batchSize: 'maxItems', maxNumberOfMessages: 'maxItems', waitTimeoutSeconds: IN_MS };

export function validatePolicy(value: unknown, field: string, limits: QueueLimits): WirePolicy | undefined {
  if (value === undefined) return undefined;
  const policy = requireObject<QueuePolicy>(value, field);
  requireKnownKeys(policy, POLICY_KEYS, field, POLICY_RENAMED);
  const maxReceiveCount =
    policy.maxReceiveCount === undefined
      ? 0
      : validatePositiveInt(policy.maxReceiveCount, `${field}.maxReceiveCount`, { min: 1, max: limits.maxReceiveCount });
  const deadLetterQueue =
    policy.deadLetterQueue === undefined || policy.deadLetterQueue === ''
      ? ''
      : validateQueueChannel(policy.deadLetterQueue, `${field}.deadLetterQueue`);
  return {
    DelaySeconds: wholeSeconds(policy.delaySeconds, `${field}.delaySeconds`, limits.maxDelaySeconds, 0),
    ExpirationSeconds: wholeSeconds(policy.expirationSeconds, `${field}.expirationSeconds`, limits.maxExpirationSeconds, 0),
    MaxReceiveCount: maxReceiveCount,
    MaxReceiveQueue: deadLetterQueue,
  };
}

/** A public QueueMessage → the wire message, every rule of docs/broker-behaviour.md §3 checked first. */
export function toWireMessage(
  value: unknown,
  field: string,
  clientId: string,
  limits: QueueLimits,
  maxBodyBytes?: number,
): WireQueueMessage {
  const prefix = field === '' ? '' : `${field}.`;
  const msg = requireObject<QueueMessage>(value, field === '' ? 'message' : field);
  const channel = validateQueueChannel(msg.channel, `${prefix}channel`, true);
  const body = validateBody(msg.body, `${prefix}body`, maxBodyBytes);
  const metadata = validateMetadata(msg.metadata, `${prefix}metadata`);
  requireNonEmptyMessage(body, metadata, `${prefix}body`);
  const tags = validateTags(msg.tags, `${prefix}tags`);
  const policy = validatePolicy(msg.policy, `${prefix}policy`, limits);
  return {
    MessageID: validateMessageId(msg.id, `${prefix}id`),
    ClientID: clientId,
    Channel: channel,
    Metadata: metadata,
    Body: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
    Tags: tags,
    Attributes: undefined,
    Policy: policy,
  };
}

/** A non-empty array of messages → wire messages. */
export function toWireMessages(
  value: unknown,
  field: string,
  clientId: string,
  limits: QueueLimits,
  maxBodyBytes?: number,
): WireQueueMessage[] {
  if (!Array.isArray(value)) fail(field, `must be an array of messages (got ${typeof value})`);
  if (value.length === 0) fail(field, 'cannot be empty');
  // By index, not map: map skips the holes of a sparse array, which would reach the wire empty.
  const wire: WireQueueMessage[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) wire[i] = toWireMessage(value[i], `${field}[${i}]`, clientId, limits, maxBodyBytes);
  requireDistinctDelayedIds(wire, field);
  if (maxBodyBytes !== undefined) requireBatchFits(wire, field, maxBodyBytes);
  return wire;
}

/**
 * The broker's delay scan keeps one delayed message per id, so of two delayed messages with one
 * id, one is lost (docs/troubleshooting.md). Only ids the caller chose can repeat.
 */
function requireDistinctDelayedIds(wire: readonly WireQueueMessage[], field: string): void {
  let seen: Map<string, number> | undefined;
  wire.forEach((m, i) => {
    if (!m.Policy?.DelaySeconds) return;
    seen ??= new Map();
    const first = seen.get(m.MessageID);
    if (first !== undefined) {
      fail(`${field}[${i}].id`, `repeats ${field}[${first}].id on a delayed message: the broker keeps one delayed message per id, and would lose the other`);
    }
    seen.set(m.MessageID, i);
  });
}

/** What a request adds around its messages (its id, the fields' tags and lengths), at most. */
const REQUEST_OVERHEAD = 64;
/** What one message adds beyond its strings, body and tags (field tags, lengths, the policy's numbers), at most. */
const MESSAGE_OVERHEAD = 96;

/** An upper bound on a message's encoded size (a UTF-16 unit is at most 3 bytes of UTF-8). */
function messageBound(m: WireQueueMessage): number {
  const text = m.MessageID.length + m.ClientID.length + m.Channel.length + m.Metadata.length + (m.Policy?.MaxReceiveQueue.length ?? 0) + tagsTextLength(m.Tags);
  return MESSAGE_OVERHEAD + m.Body.byteLength + 3 * text;
}

/**
 * One message sent on its own (the request is the message), encoded, must fit the client's
 * `maxMessageBytes`: a body within a few dozen bytes of it would otherwise fail in grpc-js, with
 * an error that names no field. Only a message near the limit is encoded to measure it.
 */
export function requireMessageFits(m: WireQueueMessage, field: string, maxBytes: number): void {
  if (messageBound(m) <= maxBytes) return;
  const bytes = WireQueueMessageCodec.encode(m).finish().length;
  if (bytes > maxBytes) fail(field, `is ${bytes} bytes encoded (body, channel, metadata, tags and policy), over the client's maxMessageBytes (${maxBytes})`);
}

/**
 * The batch, encoded, must fit the client's `maxMessageBytes`: grpc-js cancels a call whose
 * message is over it, which fails every send on a queue upstream and is the cancel a broker can
 * crash on (docs/broker-behaviour.md §5.3). A cheap upper bound settles the usual case; only a
 * batch near the limit is encoded to measure it.
 */
export function requireBatchFits(wire: readonly WireQueueMessage[], field: string, maxBytes: number): void {
  let bound = REQUEST_OVERHEAD;
  for (const m of wire) bound += messageBound(m);
  if (bound <= maxBytes) return;
  let bytes = REQUEST_OVERHEAD;
  for (const m of wire) bytes += WireQueueMessageCodec.encode(m).finish().length + 6;
  if (bytes > maxBytes) fail(field, `is about ${bytes} bytes encoded, over the client's maxMessageBytes (${maxBytes}): send it in smaller batches`);
}

export interface ValidCallOptions {
  signal: AbortSignal | undefined;
  timeoutMs: number | undefined;
}

/** A CallOptions bag (`field` names it in errors); `timeoutMs` is a whole number of ms, at least `minTimeoutMs` (default 1). */
export function validateCallOptions(options: CallOptions | undefined, field = 'options', rules: { minTimeoutMs?: number } = {}): ValidCallOptions {
  // Operation 'validate': every caller runs this inside checked(), which names its call.
  const o = readCallOptions(options, 'validate', field);
  return {
    signal: o.signal,
    timeoutMs: o.timeoutMs === undefined ? undefined : validatePositiveInt(o.timeoutMs, 'timeoutMs', { min: rules.minTimeoutMs ?? 1 }),
  };
}

export interface ValidReceive {
  channel: string;
  maxItems: number;
  waitSeconds: number;
}

/** Simple receive / peek: 1..1024 messages, 0..3600 s (docs/broker-behaviour.md §3 errors 122, 136). */
export function validateReceive(value: unknown, limits: QueueLimits): ValidReceive {
  const o = closedOptions(value, 'validate', RECEIVE_KEYS, RECEIVE_RENAMED, { required: true });
  const maxItems =
    o['maxItems'] === undefined ? 1 : validatePositiveInt(o['maxItems'], 'maxItems', { min: 1, max: limits.maxReceiveItems });
  return {
    channel: validateQueueChannel(o['channel']),
    maxItems,
    waitSeconds: brokerWait(wholeSeconds(o['waitTimeoutSeconds'], 'waitTimeoutSeconds', limits.maxReceiveWaitSeconds, 1)),
  };
}

/**
 * The wait sent: 0 becomes 1. The broker reads 0 as its configured default wait, 1 s unless its
 * operator changed it; a longer one would outlast the call's deadline, which counts 1 s, and a
 * receive or purge cut by its deadline still acks what the broker takes for it.
 */
function brokerWait(seconds: number): number {
  return seconds === 0 ? 1 : seconds;
}

export interface ValidPurge {
  channel: string;
  waitSeconds: number;
}

/** Purge (the broker's AckAllQueueMessages): 0..3600 s (docs/broker-behaviour.md §3 error 136). */
export function validatePurge(value: unknown, limits: QueueLimits): ValidPurge {
  const o = closedOptions(value, 'validate', PURGE_KEYS, PURGE_RENAMED, { required: true });
  return {
    channel: validateQueueChannel(o['channel']),
    waitSeconds: brokerWait(wholeSeconds(o['waitTimeoutSeconds'], 'waitTimeoutSeconds', limits.maxReceiveWaitSeconds, 1)),
  };
}

export interface ValidPoll {
  channel: string;
  maxItems: number;
  waitTimeoutMs: number;
  autoAck: boolean;
}

/**
 * A downstream poll. `waitTimeoutMs` below the broker's floor of 1000 ms is rejected rather than
 * silently stretched, so a caller never waits longer than asked.
 */
export function validatePoll(value: unknown, limits: QueueLimits): ValidPoll {
  const o = closedOptions(value, 'validate', POLL_KEYS, POLL_RENAMED, { required: true });
  const maxItems = o['maxItems'] === undefined ? 1 : validatePositiveInt(o['maxItems'], 'maxItems', { min: 1, max: limits.maxPollItems });
  const waitTimeoutMs =
    o['waitTimeoutMs'] === undefined
      ? MIN_POLL_WAIT_MS
      : validatePositiveInt(o['waitTimeoutMs'], 'waitTimeoutMs', { min: MIN_POLL_WAIT_MS, max: limits.maxPollWaitMs });
  if (o['autoAck'] !== undefined && typeof o['autoAck'] !== 'boolean') fail('autoAck', 'must be a boolean');
  return {
    channel: validateQueueChannel(o['channel']),
    maxItems,
    waitTimeoutMs,
    autoAck: o['autoAck'] === true,
  };
}

/** `QueuesInfo` names: exact queue names (the broker splits its filter on `;`). */
export function validateInfoChannels(value: unknown): string[] {
  if (value === undefined) return [];
  const names = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(names)) fail('channels', 'must be a string or an array of strings');
  // An empty filter is the broker's "every queue": it must come only from leaving channels out.
  if (names.length === 0) fail('channels', 'must name at least one queue (leave it out for every queue)');
  return names.map((name: unknown, i) => {
    const field = typeof value === 'string' ? 'channels' : `channels[${i}]`;
    const channel = validateQueueChannel(name, field);
    if (channel.includes(';')) fail(field, "cannot contain ';' (the broker's name separator)");
    if (brokerInfoName(channel) === '') {
      fail(field, "is made only of the characters '_QUES.' that the broker trims from the names it reports: it cannot report on this queue alone");
    }
    return channel;
  });
}

/** Sequences of a transaction's messages: a non-empty list of known ones. */
export function validateSequences(value: unknown, known: { has(sequence: number): boolean }): number[] {
  if (!Array.isArray(value)) fail('sequences', 'must be an array of message sequences');
  if (value.length === 0) fail('sequences', 'cannot be empty');
  const seen = new Set<number>();
  return value.map((seq: unknown, i) => {
    const field = `sequences[${i}]`;
    const n = validatePositiveInt(seq, field, { min: 1 });
    if (!known.has(n)) fail(field, `${n} is not a message of this transaction`);
    if (seen.has(n)) fail(field, `${n} is listed twice`);
    seen.add(n);
    return n;
  });
}
