// How queue operations are described to the client's telemetry (see core's MessagingOperation).
import type { MessagingOperation } from '@kubemq/core';
import type { QueueMessage as WireQueueMessage } from '@kubemq/core/internal';
import type { QueueMessageReceive } from '../types.js';

/** The channel of a batch: its one channel, or `''` when it spans several. */
function batchChannel(channels: readonly string[]): string {
  const first = channels[0] ?? '';
  return channels.every((c) => c === first) ? first : '';
}

/** Sending one message or a batch; each message's tags receive the trace context. */
export function queueSendOperation(wire: readonly WireQueueMessage[]): MessagingOperation {
  const one = wire.length === 1 ? wire[0] : undefined;
  return {
    pattern: 'queues',
    type: 'send',
    name: 'send',
    channel: batchChannel(wire.map((m) => m.Channel)),
    ...(one ? { messageId: one.MessageID, bodySize: one.Body.length } : { messageCount: wire.length }),
    tags: wire.map((m) => m.Tags),
  };
}

/**
 * How an operation came about. `detached`: the SDK made it on its own (a consumer's or a
 * subscription's polls, the settlements a consumer makes for its handler), so it starts a trace of
 * its own instead of continuing the one that was active when the loop was created. The
 * application's own calls (`poll()`, `receive()`, a message's `ack()`) leave it unset.
 */
export interface QueueOperationOrigin {
  readonly detached?: boolean;
}

/** The count of a batch, and the id and size of a single message (the conventions' per-message attributes). */
function messagesOf(messages: readonly QueueMessageReceive[]): Pick<MessagingOperation, 'messageCount' | 'messageId' | 'bodySize' | 'tags'> {
  const one = messages.length === 1 ? messages[0] : undefined;
  return {
    messageCount: messages.length,
    ...(one && { messageId: one.id, bodySize: one.body.length }),
    tags: messages.map((m) => m.tags),
  };
}

/** A poll or a receive, described once it returned (or failed: no messages). */
export function queueReceiveOperation(
  name: 'poll' | 'receive',
  channel: string,
  messages: readonly QueueMessageReceive[] | undefined,
  origin: QueueOperationOrigin = {},
): MessagingOperation {
  return { pattern: 'queues', type: 'receive', name, channel, ...messagesOf(messages ?? []), ...(origin.detached && { detached: true }) };
}

/** Settling polled messages (`ack`, `nack`, `requeue`, `close`); linked to their producers. */
export function queueSettleOperation(name: string, channel: string, messages: readonly QueueMessageReceive[], origin: QueueOperationOrigin = {}): MessagingOperation {
  return { pattern: 'queues', type: 'settle', name, channel, ...messagesOf(messages), ...(origin.detached && { detached: true }) };
}

/** Processing one polled message: a child of its producer's span (never of the code that started the consumer). */
export function queueProcessOperation(message: QueueMessageReceive): MessagingOperation {
  return {
    pattern: 'queues',
    type: 'process',
    name: 'process',
    channel: message.channel,
    messageId: message.id,
    bodySize: message.body.length,
    tags: [message.tags],
  };
}
