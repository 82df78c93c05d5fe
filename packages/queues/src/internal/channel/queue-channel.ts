import type { CallOptions, Codec, Decoded, IterableObservable, KubemqClient } from '@kubemq/core';
import {
  decodeEach,
  decodeReceived,
  encodeTyped,
  map,
  optionsObject,
  patternClientFor,
  pipeIterable,
  sendTyped,
  typedChannelConfig,
} from '@kubemq/core/internal';
import { QueuesOnClient, type QueuesClient, type QueuesSubscription } from '../../queues-client.js';
import { iteratorBufferSize } from '../buffer-size.js';
import { registerConsumeThrough, type ConsumeThrough } from '../consumer/consume-through.js';
import type { ConsumeOptions, QueueHandler } from '../consumer/queue-consumer.js';
import type {
  PolledQueueMessage,
  PollResponse,
  QueueBatchSendResult,
  QueueMessage,
  QueueMessageReceive,
  QueuePollOptions,
  QueuePurgeOptions,
  QueueReceiveOptions,
  QueueSendResult,
} from '../../types.js';

/**
 * A typed message for a {@link QueueChannel}: the `value` is encoded by the channel's codec.
 *
 * @example
 * ```ts
 * const job: TypedQueueMessage<{ image: string }> = { value: { image: 'a.png' }, policy: { maxReceiveCount: 3, deadLetterQueue: 'jobs.dead' } };
 * ```
 */
export interface TypedQueueMessage<T> extends Omit<QueueMessage, 'channel' | 'body'> {
  /** The payload, encoded by the channel's codec. */
  value: T;
}

/**
 * A received message (simple API) with its body decoded: `ok` and `value`, or not `ok` and the `decodeError`.
 *
 * @example
 * ```ts
 * const image = (m: TypedQueueMessageReceive<{ image: string }>) => (m.ok ? m.value.image : undefined);
 * ```
 */
export type TypedQueueMessageReceive<T> = QueueMessageReceive & Decoded<T>;

/**
 * A polled message with its body decoded; settle it as any polled message (`ack`, `nack`, `requeue`).
 *
 * @example
 * ```ts
 * const settle = (m: TypedPolledQueueMessage<{ image: string }>) => (m.ok ? m.ack() : m.nack());
 * ```
 */
export type TypedPolledQueueMessage<T> = PolledQueueMessage & Decoded<T>;

/**
 * What a typed `queueConsumer()` handler is given: a polled message whose body decoded.
 *
 * @example
 * ```ts
 * const handler = async (m: DecodedQueueMessage<{ image: string }>) => console.log(m.value.image);
 * ```
 */
export type DecodedQueueMessage<T> = PolledQueueMessage & {
  /** Always true: only messages whose body decoded get here. */
  readonly ok: true;
  /** The decoded value. */
  readonly value: T;
};

/**
 * A poll transaction whose messages are decoded. Settle it as any transaction.
 *
 * @example
 * ```ts
 * const images = (tx: TypedPollResponse<{ image: string }>) => tx.messages.flatMap((m) => (m.ok ? [m.value.image] : []));
 * ```
 */
export interface TypedPollResponse<T> extends Omit<PollResponse, 'messages'> {
  /** The polled messages, decoded. */
  readonly messages: readonly TypedPolledQueueMessage<T>[];
}

/**
 * What a typed `receive()` or `peek()` returns.
 *
 * @example
 * ```ts
 * const count = (r: TypedQueueReceiveResult<string>) => r.messages.length + r.expired;
 * ```
 */
export interface TypedQueueReceiveResult<T> {
  /** The messages, decoded. */
  readonly messages: readonly TypedQueueMessageReceive<T>[];
  /** How many expired messages the broker dropped while looking. */
  readonly expired: number;
}

/**
 * Options of {@link queueChannel}.
 *
 * @example
 * ```ts
 * const options: QueueChannelOptions<string> = { channel: 'jobs', codec: textCodec() };
 * ```
 */
export interface QueueChannelOptions<T> {
  /** The queue (an exact name). */
  channel: string;
  /** Encodes sent values and decodes received bodies. */
  codec: Codec<T>;
}

/**
 * One queue with a codec: typed sends, and every receive, peek, poll and subscription decoding its
 * messages. The same methods as {@link QueuesClient}, with the channel fixed and values instead of
 * bodies, in the same argument order. Made by {@link queueChannel}; the untyped QueuesClient does
 * the work. Give it to `queueConsumer()` for a consumer whose handler gets every message decoded.
 *
 * Only an object made by {@link queueChannel} is accepted as a typed channel by `queueConsumer()`:
 * another object of this shape, such as a decorator or a test double, is refused with a
 * `ValidationError` (`invalid client`). A test double should wrap a real client (and hand these
 * functions the client itself), or run against the broker of `@kubemq/testing`.
 *
 * @example
 * ```ts
 * const jobs: QueueChannel<{ id: number }> = queueChannel(client, { channel: 'jobs', codec: jsonCodec<{ id: number }>() });
 * await jobs.send({ value: { id: 1 } });
 * ```
 */
export interface QueueChannel<T> {
  /** The queue this handle works on. */
  readonly channel: string;
  /** Encodes `message.value` and sends it (see {@link QueuesClient.send}); a refused value is a ValidationError naming `value`. */
  send(message: TypedQueueMessage<T>, options?: CallOptions): Promise<QueueSendResult>;
  /**
   * Encodes every value and sends them in one call (see {@link QueuesClient.sendBatch}). A refused
   * value is a ValidationError naming it (`messages[2].value`); nothing is sent then.
   */
  sendBatch(messages: readonly TypedQueueMessage<T>[], options?: CallOptions): Promise<QueueBatchSendResult>;
  /** Receives and decodes (see {@link QueuesClient.receive}: at-most-once). */
  receive(options?: Omit<QueueReceiveOptions, 'channel'>, callOptions?: CallOptions): Promise<TypedQueueReceiveResult<T>>;
  /** Looks without removing, and decodes (see {@link QueuesClient.peek}). */
  peek(options?: Omit<QueueReceiveOptions, 'channel'>, callOptions?: CallOptions): Promise<TypedQueueReceiveResult<T>>;
  /** Empties the queue and returns how many messages it removed (see {@link QueuesClient.purge}: it always takes the whole wait). */
  purge(options?: Omit<QueuePurgeOptions, 'channel'>, callOptions?: CallOptions): Promise<number>;
  /** Polls one transaction and decodes its messages (see {@link QueuesClient.poll}). */
  poll(options?: Omit<QueuePollOptions, 'channel'>, callOptions?: CallOptions): Promise<TypedPollResponse<T>>;
  /** Polled messages, decoded (see {@link QueuesClient.subscribe}); an undecodable one still has to be settled. */
  subscribe(options?: Omit<QueuesSubscription, 'channel'>): IterableObservable<TypedPolledQueueMessage<T>>;
  /** Whole transactions with their messages decoded (see {@link QueuesClient.transactions}). */
  transactions(options?: Omit<QueuesSubscription, 'channel'>): IterableObservable<TypedPollResponse<T>>;
}

class QueueChannelImpl<T> implements QueueChannel<T> {
  readonly channel: string;
  readonly #queues: QueuesOnClient;
  readonly #codec: Codec<T>;

  constructor(queues: QueuesOnClient, options: QueueChannelOptions<T>) {
    ({ channel: this.channel, codec: this.#codec } = typedChannelConfig<T>(options, 'queues.channel'));
    this.#queues = queues;
  }

  send(message: TypedQueueMessage<T>, options?: CallOptions): Promise<QueueSendResult> {
    const place = { operation: 'queues.send', channel: this.channel, noun: 'message' };
    return sendTyped(message, this.#codec, place, (untyped) => this.#queues.send(untyped, options));
  }

  sendBatch(messages: readonly TypedQueueMessage<T>[], options?: CallOptions): Promise<QueueBatchSendResult> {
    try {
      // Not an array: passed on as it is, for sendBatch()'s own ValidationError.
      const untyped = Array.isArray(messages) ? messages.map((m, i) => this.#batchEntry(m, i)) : messages;
      return this.#queues.sendBatch(untyped as QueueMessage[], options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  // Options that are no object (5, null) are refused as the untyped call refuses them: spread, they
  // would be {} and every default would silently apply.
  async receive(options?: Omit<QueueReceiveOptions, 'channel'>, callOptions?: CallOptions): Promise<TypedQueueReceiveResult<T>> {
    const result = await this.#queues.receive({ ...optionsObject(options, 'queues.receive'), channel: this.channel }, callOptions);
    return { messages: result.messages.map((m) => decodeReceived(m, this.#codec, 'queues.receive')), expired: result.expired };
  }

  async peek(options?: Omit<QueueReceiveOptions, 'channel'>, callOptions?: CallOptions): Promise<TypedQueueReceiveResult<T>> {
    const result = await this.#queues.peek({ ...optionsObject(options, 'queues.peek'), channel: this.channel }, callOptions);
    return { messages: result.messages.map((m) => decodeReceived(m, this.#codec, 'queues.peek')), expired: result.expired };
  }

  async purge(options?: Omit<QueuePurgeOptions, 'channel'>, callOptions?: CallOptions): Promise<number> {
    return this.#queues.purge({ ...optionsObject(options, 'queues.purge'), channel: this.channel }, callOptions);
  }

  async poll(options?: Omit<QueuePollOptions, 'channel'>, callOptions?: CallOptions): Promise<TypedPollResponse<T>> {
    return this.#decodeTransaction(await this.#queues.poll({ ...optionsObject(options, 'queues.poll'), channel: this.channel }, callOptions), 'queues.poll');
  }

  subscribe(given?: Omit<QueuesSubscription, 'channel'>): IterableObservable<TypedPolledQueueMessage<T>> {
    const options = optionsObject(given, 'queues.subscribe');
    const subscription = { ...options, channel: this.channel };
    const source = this.#queues.subscribe(subscription);
    // The untyped subscription's buffer (validated there), now in front of the decoded reader.
    const bufferSize = iteratorBufferSize(options.bufferSize, this.#queues.subscription(subscription).maxItems);
    return decodeEach(source, this.#codec, 'queues.subscribe', bufferSize);
  }

  transactions(given?: Omit<QueuesSubscription, 'channel'>): IterableObservable<TypedPollResponse<T>> {
    const options = optionsObject(given, 'queues.transactions');
    const source = this.#queues.transactions({ ...options, channel: this.channel });
    const bufferSize = iteratorBufferSize(options.bufferSize, 1);
    return pipeIterable(source, (from) => from.pipe(map((tx) => this.#decodeTransaction(tx, 'queues.transactions'))), bufferSize);
  }

  /**
   * How `queueConsumer(channel, …)` consumes here: this queue, every message decoded first. One
   * whose body does not decode never reaches the handler: it is nacked (so the receive count and
   * dead-letter policy apply) and `onError` gets its DecodeError.
   */
  consumeThrough(options: Omit<ConsumeOptions, 'channel'>, handler: (message: DecodedQueueMessage<T>) => unknown): ConsumeThrough {
    const codec = this.#codec;
    // Not a function: passed on as it is, for the consumer's own ValidationError.
    const typed: QueueHandler =
      typeof handler === 'function'
        ? (message) => {
            const decoded = decodeReceived(message, codec, 'queues.consume');
            if (!decoded.ok) throw decoded.decodeError;
            return handler(decoded);
          }
        : (handler as QueueHandler);
    // Not an object: passed on as it is, for the consumer's own ValidationError.
    const untyped = typeof options === 'object' && options !== null ? { ...options, channel: this.channel } : options;
    return { queues: this.#queues, options: untyped as ConsumeOptions, handler: typed };
  }

  /** Entry `index` of a typed batch, encoded (errors name `messages[index]…`). */
  #batchEntry(message: TypedQueueMessage<T>, index: number): QueueMessage {
    const place = { operation: 'queues.sendBatch', channel: this.channel, noun: 'message', path: `messages[${index}]` };
    return { ...encodeTyped(message, this.#codec, place), channel: this.channel };
  }

  #decodeTransaction(tx: PollResponse, operation: string): TypedPollResponse<T> {
    // The transaction's own message objects are decoded in place: its settle methods keep working.
    for (const message of tx.messages) decodeReceived(message, this.#codec, operation);
    return tx as TypedPollResponse<T>;
  }
}

/**
 * A typed queue: values in, decoded values out, through `codec`. Attach it to a client (a default
 * {@link QueuesClient} is made) or to a QueuesClient with options of its own. Nothing of it is
 * bundled unless it is imported.
 *
 * @example
 * ```ts
 * import { KubemqClient, jsonCodec } from '@kubemq/core';
 * import { queueChannel, queueConsumer } from '@kubemq/queues';
 *
 * interface Resize { image: string; width: number }
 * const client = await KubemqClient.connect({ address: 'localhost:50000' });
 * const jobs = queueChannel(client, { channel: 'images.resize', codec: jsonCodec<Resize>() });
 * await jobs.send({ value: { image: 'a.png', width: 640 } });
 * const consumer = queueConsumer(jobs, { onError: (error) => console.error(error) }, async (job) => {
 *   console.log('resizing', job.value.image, 'to', job.value.width);
 * });
 * await consumer.stop();
 * ```
 */
export function queueChannel<T>(client: KubemqClient | QueuesClient, options: QueueChannelOptions<T>): QueueChannel<T> {
  const queues = patternClientFor(client, (c): c is QueuesOnClient => c instanceof QueuesOnClient, (c) => new QueuesOnClient(c), 'queues.channel');
  const channel = new QueueChannelImpl(queues, options);
  registerConsumeThrough(channel, (o, handler: (message: DecodedQueueMessage<T>) => unknown) => channel.consumeThrough(o, handler));
  return channel;
}
