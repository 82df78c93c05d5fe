import type { QueuesOnClient } from '../../queues-client.js';
import type { ConsumeOptions, QueueHandler } from './queue-consumer.js';

/** What a typed queue hands `queueConsumer()`: its queues client, the options with its channel, a handler that decodes first. */
export interface ConsumeThrough {
  queues: QueuesOnClient;
  options: ConsumeOptions;
  handler: QueueHandler;
}

/** Given the options without a channel and the typed handler: how a consumer consumes through a typed queue. */
type Through = (options: Omit<ConsumeOptions, 'channel'>, handler: never) => ConsumeThrough;

/**
 * How `queueConsumer()` consumes through each typed queue, filled by `queueChannel()`: the consumer
 * needs no typed-channel code, and a typed app that never consumes bundles no consumer.
 */
const throughs = new WeakMap<object, Through>();

export function registerConsumeThrough(channel: object, through: Through): void {
  throughs.set(channel, through);
}

/** How to consume through `value` when it is a typed queue, else undefined. */
export function consumeThroughOf(value: unknown): Through | undefined {
  return typeof value === 'object' && value !== null ? throughs.get(value) : undefined;
}
