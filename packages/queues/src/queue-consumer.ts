// queueConsumer(): a handler for every message of a queue. A function, not a method of the queues
// client: an app that never consumes bundles none of it.
import { ValidationError, type KubemqClient } from '@kubemq/core';
import { checked, closedOptions, patternClientFor, validatePositiveInt } from '@kubemq/core/internal';
import type { DecodedQueueMessage, QueueChannel } from './internal/channel/queue-channel.js';
import { consumeThroughOf } from './internal/consumer/consume-through.js';
import { startConsumer } from './internal/consumer/consumer.js';
import { warnThroughLogger } from './internal/consumer/default-on-error.js';
import { acquireProcessedMemory } from './internal/consumer/processed.js';
import type { ConsumeOptions, QueueConsumer, QueueHandler } from './internal/consumer/queue-consumer.js';
import { pollTransactions } from './internal/consumer/subscribe.js';
import { newLaneCounters } from './internal/downstream/lane.js';
import { CONSUME_KEYS, CONSUME_RENAMED, validateCallOptions } from './internal/validation.js';
import { QueuesOnClient, type QueuesClient } from './queues-client.js';


/**
 * Runs `handler` for every message of `options.channel`: success acks, a throw nacks (so the receive
 * count and dead-letter policy apply). Polls a batch of up to `maxItems`, runs it (up to
 * `concurrency` handlers at a time), settles it, and only then polls again. Recovers after
 * reconnects. Delivery is at-least-once; a redelivery of a message a consumer of this client has
 * already handled is acked without calling the handler again.
 *
 * Consume through a client (a default queues client is made), a queues client with options of its
 * own (its `limits`), or a typed queue (`queueChannel()`: the queue is the channel's, and the
 * handler gets every message decoded; one that does not decode is nacked and reported to
 * `onError`, never handed to the handler).
 *
 * @throws ValidationError for bad options, a handler that is not a function, or a first argument
 *   that is none of the above.
 *
 * @example
 * ```ts
 * import { KubemqClient } from '@kubemq/core';
 * import { queueConsumer } from '@kubemq/queues';
 *
 * const client = await KubemqClient.connect({ address: 'localhost:50000' });
 * const consumer = queueConsumer(client, { channel: 'tasks', concurrency: 4 }, async (msg) => console.log(msg.text()));
 * process.once('SIGTERM', () => void consumer.stop());
 * await consumer.done;
 * ```
 */
export function queueConsumer(client: KubemqClient | QueuesClient, options: ConsumeOptions, handler: QueueHandler): QueueConsumer;
/**
 * A consumer of a typed queue (`queueChannel()`): its queue, every message decoded for the handler
 * (one that does not decode is nacked and reported to `onError`). The options take no `channel`.
 */
export function queueConsumer<T>(
  channel: QueueChannel<T>,
  options: Omit<ConsumeOptions, 'channel'>,
  handler: (message: DecodedQueueMessage<T>) => unknown,
): QueueConsumer;
export function queueConsumer(
  target: KubemqClient | QueuesClient | QueueChannel<unknown>,
  options: ConsumeOptions | Omit<ConsumeOptions, 'channel'>,
  handler: QueueHandler | ((message: DecodedQueueMessage<unknown>) => unknown),
): QueueConsumer {
  const typed = consumeThroughOf(target);
  if (typed) {
    const through = typed(options, handler as never);
    return consume(through.queues, through.options, through.handler);
  }
  const queues = patternClientFor(target, (c): c is QueuesOnClient => c instanceof QueuesOnClient, (c) => new QueuesOnClient(c), 'queues.consume');
  return consume(queues, options as ConsumeOptions, handler as QueueHandler);
}

function consume(queues: QueuesOnClient, options: ConsumeOptions, handler: QueueHandler): QueueConsumer {
  const { o, req, concurrency, signal } = checked('queues.consume', options?.channel, () => validateConsume(queues, options, handler));
  const { internals } = queues;
  const counters = newLaneCounters();

  return startConsumer({
    open: (hooks) =>
      pollTransactions(internals, {
        request: req,
        operation: 'queues.consume',
        defaultTimeoutMs: queues.timeoutMs,
        counters,
        onRecover: hooks.onRecover,
        keepPolling: hooks.keepPolling,
      }),
    stopWaitMs: req.waitTimeoutMs + 1000,
    counters,
    handler,
    concurrency,
    onError: o.onError ?? warnThroughLogger(internals, req.channel),
    signal,
    telemetry: internals.telemetry,
    track: (resource) => internals.track(resource),
    processed: acquireProcessedMemory(internals, req.channel),
  });
}

function validateConsume(queues: QueuesOnClient, options: ConsumeOptions, handler: QueueHandler) {
  const o = closedOptions(options, 'validate', CONSUME_KEYS, CONSUME_RENAMED, { required: true });
  if (typeof handler !== 'function') {
    throw new ValidationError({ operation: 'validate', field: 'handler', message: 'invalid handler: must be a function' });
  }
  const maxItems = o.maxItems === undefined ? 10 : validatePositiveInt(o.maxItems, 'maxItems', { min: 1, max: queues.limits.maxPollItems });
  const req = queues.subscription({ channel: o.channel, maxItems, ...(o.waitTimeoutMs !== undefined && { waitTimeoutMs: o.waitTimeoutMs }) });
  const concurrency = o.concurrency === undefined ? 1 : validatePositiveInt(o.concurrency, 'concurrency', { min: 1, max: 10_000 });
  const signal = validateCallOptions({ ...(o.signal !== undefined && { signal: o.signal }) }).signal;
  if (o.onError !== undefined && typeof o.onError !== 'function') {
    throw new ValidationError({ operation: 'validate', field: 'onError', message: 'invalid onError: must be a function' });
  }
  return { o, req, concurrency, signal };
}
