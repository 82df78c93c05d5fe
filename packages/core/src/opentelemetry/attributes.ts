import { SpanKind, type Attributes } from '@opentelemetry/api';
import { KubemqError } from '../internal/errors/kubemq-error.js';
import type { MessagingOperation, TelemetryClientInfo } from '../telemetry/telemetry.js';

/**
 * Attribute names: the OpenTelemetry messaging semantic conventions, plus `kubemq.*` ones for
 * what they have no name for.
 */
export const ATTR = {
  /** `kubemq` on every span and metric. */
  SYSTEM: 'messaging.system',
  /** `send`, `receive`, `process` or `settle`. */
  OPERATION_TYPE: 'messaging.operation.type',
  /** The SDK's name for the operation: `send`, `poll`, `receive`, `process`, `ack`, `nack`, `requeue`, `close`. */
  OPERATION_NAME: 'messaging.operation.name',
  /** The channel. */
  DESTINATION: 'messaging.destination.name',
  /** The message (event, request) id. */
  MESSAGE_ID: 'messaging.message.id',
  /** The body size in bytes. */
  BODY_SIZE: 'messaging.message.body.size',
  /** How many messages a batch or a poll carried (not set on operations on one message). */
  BATCH_COUNT: 'messaging.batch.message_count',
  /** The subscription's group. */
  CONSUMER_GROUP: 'messaging.consumer.group.name',
  /** The client's id. */
  CLIENT_ID: 'messaging.client.id',
  /** The broker's host. */
  SERVER_ADDRESS: 'server.address',
  /** The broker's port. */
  SERVER_PORT: 'server.port',
  /** The KubemqError code (or the error's class name) of a failed operation. */
  ERROR_TYPE: 'error.type',
  /** The broker's channel type: `events`, `events_store`, `queues`, `commands`, `queries`. */
  CHANNEL_TYPE: 'kubemq.channel.type',
  /** The SDK operation that was retried, e.g. `events.subscribe`. */
  OPERATION: 'kubemq.operation',
  /** Why it was retried: `stream_reopen` or `token_refresh`. */
  RETRY_REASON: 'kubemq.retry.reason',
} as const;

/** `messaging.system` of every span and metric. */
export const MESSAGING_SYSTEM = 'kubemq';

/** `{operation name} {destination}`, as the conventions name messaging spans (the name alone for a batch to several). */
export function spanName(op: MessagingOperation): string {
  return op.channel === '' ? op.name : `${op.name} ${op.channel}`;
}

/**
 * The messaging conventions' kinds: a send is a producer (its context is the message's creation
 * context), a delivery a consumer; receiving (a pull the application asks for) and settling are
 * client calls. Commands and queries are a request and its reply: client and server.
 */
export function spanKind(op: MessagingOperation): SpanKind {
  const rpc = op.pattern === 'commands' || op.pattern === 'queries';
  switch (op.type) {
    case 'send':
      return rpc ? SpanKind.CLIENT : SpanKind.PRODUCER;
    case 'process':
      return rpc ? SpanKind.SERVER : SpanKind.CONSUMER;
    case 'receive':
    case 'settle':
      return SpanKind.CLIENT;
  }
}

/** Host and port of a `host:port` address (IPv6 hosts keep their brackets off). */
export function serverAttributes(address: string): Attributes {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { [ATTR.SERVER_ADDRESS]: host, [ATTR.SERVER_PORT]: Number(address.slice(colon + 1)) };
}

/** The attributes every metric of an operation carries (low cardinality: no ids, no sizes). */
export function metricAttributes(op: MessagingOperation, server: Attributes): Attributes {
  const attributes: Attributes = {
    [ATTR.SYSTEM]: MESSAGING_SYSTEM,
    [ATTR.OPERATION_TYPE]: op.type,
    [ATTR.OPERATION_NAME]: op.name,
    [ATTR.CHANNEL_TYPE]: op.pattern,
    ...server,
  };
  // A batch to several channels has no single destination (the conventions then leave it out).
  if (op.channel !== '') attributes[ATTR.DESTINATION] = op.channel;
  if (op.group) attributes[ATTR.CONSUMER_GROUP] = op.group;
  return attributes;
}

/**
 * A span's attributes: the metric ones plus the client id, and the message's id and size or the
 * batch's count. The conventions keep the count off operations on a single message.
 */
export function spanAttributes(op: MessagingOperation, client: TelemetryClientInfo, server: Attributes): Attributes {
  const attributes = metricAttributes(op, server);
  attributes[ATTR.CLIENT_ID] = client.clientId;
  if (op.messageId !== undefined) attributes[ATTR.MESSAGE_ID] = op.messageId;
  if (op.bodySize !== undefined) attributes[ATTR.BODY_SIZE] = op.bodySize;
  if (op.messageCount !== undefined && op.messageCount !== 1) attributes[ATTR.BATCH_COUNT] = op.messageCount;
  return attributes;
}

/** `error.type`: the KubemqError code (`TIMEOUT`, `VALIDATION`, …), else the error's class name. */
export function errorType(error: unknown): string {
  if (KubemqError.isKubemqError(error)) return error.code;
  if (error instanceof Error) return error.name;
  return '_OTHER';
}
