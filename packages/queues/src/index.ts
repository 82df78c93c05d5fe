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
export { queues, type QueuesClient, type QueuesOptions, type QueuesSubscription } from './queues-client.js';
/**
 * A consumer: a handler for every message of a queue, `queueConsumer(client, options, handler)`
 * (or through a typed queue). A function, not a method of the queues client: an app that never
 * consumes bundles none of it.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { queueConsumer } from '@kubemq/queues';
 *
 * await using client = await KubemqClient.connect({ address: 'localhost:50000' });
 * await using consumer = queueConsumer(client, { channel: 'tasks', maxItems: 10 }, async (msg) => console.log(msg.text()));
 * ```
 */
export { queueConsumer } from './queue-consumer.js';
export type { ConsumeOptions, QueueConsumer, QueueConsumerStats, QueueHandler } from './internal/consumer/queue-consumer.js';
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
 * your own). Sends take values; receive, peek, poll, subscribe and transactions decode, and so
 * does a consumer made on the typed queue (`queueConsumer(channel, …)`). A message whose body does
 * not decode carries its `decodeError` (and a consumer nacks it).
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
  type QueueChannel,
  type QueueChannelOptions,
  type TypedQueueMessage,
  type TypedQueueMessageReceive,
  type TypedPolledQueueMessage,
  type DecodedQueueMessage,
  type TypedPollResponse,
  type TypedQueueReceiveResult,
} from './internal/channel/queue-channel.js';
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
  QueueRequeueOptions,
  QueueInfo,
  QueuesInfo,
  QueuesInfoOptions,
  QueuePollOptions,
  PollResponse,
  PolledQueueMessage,
  MessageSettlement,
  TransactionState,
} from './types.js';
