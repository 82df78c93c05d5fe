import type { QueuesOnClient } from '../../queues-client.js';
import type { ConsumeOptions, QueueHandler } from './queue-consumer.js';

/**
 * The key under which a typed queue tells `queueConsumer()` how to consume through it, so the
 * consumer needs no typed-channel code and a typed app that never consumes bundles no consumer.
 */
export const CONSUME_THROUGH: unique symbol = Symbol('kubemq.queues.consumeThrough');

/** What a typed queue hands `queueConsumer()`: its queues client, the options with its channel, a handler that decodes first. */
export interface ConsumeThrough {
  queues: QueuesOnClient;
  options: ConsumeOptions;
  handler: QueueHandler;
}

/** Something a consumer can consume through (a typed queue), given the options without a channel and the typed handler. */
export interface ConsumeTarget {
  [CONSUME_THROUGH](options: Omit<ConsumeOptions, 'channel'>, handler: never): ConsumeThrough;
}

export function isConsumeTarget(value: unknown): value is ConsumeTarget {
  return typeof value === 'object' && value !== null && CONSUME_THROUGH in value;
}
