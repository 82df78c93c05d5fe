/**
 * `@kubemq/queues`: KubeMQ queues on a `KubemqClient`.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { queues } from '@kubemq/queues';
 *
 * await using client = await KubemqClient.connect({ address: 'localhost:50000' });
 * await queues(client).send({ channel: 'tasks', body: 'hello' });
 * ```
 * @packageDocumentation
 */
export {
  queues,
  QueuesClient,
  type QueuesOptions,
  type QueuesSubscription,
  type ConsumeOptions,
} from './queues-client.js';
export { QueuesUpstream } from './internal/upstream/upstream.js';
export { QueueConsumer, type QueueConsumerStats, type QueueHandler } from './internal/consumer/consumer.js';
export { QueueTransactionError, type TransactionEndReason } from './errors.js';
export { DEFAULT_QUEUE_LIMITS, MIN_POLL_WAIT_MS, type QueueLimits } from './internal/limits.js';
export type {
  CallOptions,
  QueuePolicy,
  QueueMessage,
  QueueSendResult,
  QueueBatchResult,
  ReceivedQueueMessage,
  QueueReceiveResult,
  QueueReceiveOptions,
  QueueAckAllOptions,
  QueueInfo,
  QueuesInfo,
  QueuesInfoOptions,
  PollRequest,
  PollResponse,
  PolledQueueMessage,
  MessageSettlement,
  TransactionState,
} from './types.js';
