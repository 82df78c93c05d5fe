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

/** A poll or a receive, described once it returned (or failed: no messages). */
export function queueReceiveOperation(
  name: 'poll' | 'receive',
  channel: string,
  messages: readonly QueueMessageReceive[] | undefined,
): MessagingOperation {
  return {
    pattern: 'queues',
    type: 'receive',
    name,
    channel,
    messageCount: messages?.length ?? 0,
    tags: messages?.map((m) => m.tags) ?? [],
  };
}

/** Settling polled messages (`ack`, `nack`, `requeue`, `close`); linked to their producers. */
export function queueSettleOperation(name: string, channel: string, messages: readonly QueueMessageReceive[]): MessagingOperation {
  return { pattern: 'queues', type: 'settle', name, channel, messageCount: messages.length, tags: messages.map((m) => m.tags) };
}

/** Processing one polled message: a child of its producer's span. */
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
