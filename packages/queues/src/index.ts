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
/**
 * A send stream for many batches: an optional feature, so a function taking the client (an app
 * that never calls it does not bundle it).
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { queueUpstream } from '@kubemq/queues';
 *
 * await using client = await KubemqClient.connect({ address: 'localhost:50000' });
 * await using up = queueUpstream(client);
 * const { failed } = await up.send([{ channel: 'tasks', body: 'a' }, { channel: 'tasks', body: 'b' }]);
 * ```
 */
export { queueUpstream, type QueueUpstreamHandle, type QueueUpstreamOptions } from './queue-upstream.js';
/**
 * Typed queues: a codec per queue (`jsonCodec`, `textCodec`, `bytesCodec` from `@kubemq/core`, or
 * your own). Sends take values; receive, peek, poll, subscribe, transactions and consume decode.
 * A message whose body does not decode carries its `decodeError` (and `consume()` nacks it).
 *
 * @example
 * ```ts
 * import { KubemqClient, jsonCodec } from '@kubemq/core';
 * import { queueChannel } from '@kubemq/queues';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000' });
 * const jobs = queueChannel(client, { channel: 'jobs', codec: jsonCodec<{ id: number }>() });
 * await jobs.send({ value: { id: 1 } });
 * const tx = await jobs.poll({ maxItems: 10, waitTimeoutMs: 1000 });
 * for (const m of tx.messages) if (m.ok) console.log(m.value.id);
 * await tx.ackAll();
 * ```
 */
export {
  queueChannel,
  QueueChannel,
  type QueueChannelOptions,
  type TypedQueueMessage,
  type TypedQueueMessageReceive,
  type TypedPolledQueueMessage,
  type DecodedQueueMessage,
  type TypedPollResponse,
  type TypedQueueReceiveResult,
} from './internal/channel/queue-channel.js';
export type { QueueConsumer, QueueConsumerStats, QueueHandler } from './internal/consumer/queue-consumer.js';
export { QueueTransactionError, type TransactionEndReason } from './errors.js';
export { DEFAULT_QUEUE_LIMITS, MIN_POLL_WAIT_MS, type QueueLimits } from './internal/limits.js';
export type {
  QueuePolicy,
  QueueMessage,
  QueueSendResult,
  QueueSendFailure,
  QueueBatchSendResult,
  QueueMessageReceive,
  QueueReceiveResult,
  QueueReceiveOptions,
  QueuePurgeOptions,
  QueueInfo,
  QueuesInfo,
  QueuesInfoOptions,
  QueuePollOptions,
  PollResponse,
  PolledQueueMessage,
  MessageSettlement,
  TransactionState,
} from './types.js';
