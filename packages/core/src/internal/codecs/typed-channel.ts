import type { Observable } from 'rxjs';
import { map } from '../rx.js';
import type { MessageBody } from '../../client/body.js';
import type { Codec, Decoded } from '../../codecs/codec.js';
import { ValidationError } from '../errors/kubemq-error.js';
import { checked } from '../validation/fail.js';
import { pipeIterable, type IterableObservable } from '../streams/iterable-observable.js';
import { encodeValue, validateCodec, withDecoded } from './typed-body.js';

// The pieces every pattern's typed channel (eventChannel, queueChannel, …) is made of, so the
// five behave the same: one validation of the options, one way to encode, one way to decode.

/** The validated options of a typed channel. */
export interface TypedChannelConfig<T> {
  channel: string;
  codec: Codec<T>;
}

/** Checks `{ channel, codec }` (ValidationError naming the field); the channel rules apply at each call. */
export function typedChannelConfig<T>(options: unknown, operation: string): TypedChannelConfig<T> {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError({ operation, field: 'options', message: 'invalid options: must be an object' });
  }
  const { channel, codec } = options as { channel?: unknown; codec?: unknown };
  if (typeof channel !== 'string') throw new ValidationError({ operation, field: 'channel', message: 'invalid channel: must be a string' });
  return checked(operation, channel, () => ({ channel, codec: validateCodec<T>(codec) }));
}

/** Where a typed message sits in a call: `noun` names a lone one (`event`), `path` one of many (`messages[2]`). */
export interface TypedMessagePlace {
  operation: string;
  channel: string;
  noun: string;
  path?: string;
}

/**
 * A typed outgoing message as the untyped API takes it: `value` encoded into `body`, everything
 * else kept. A non-object message or a value the codec refuses is a ValidationError naming it
 * (`event`, `value`, `messages[2].value`, …); nothing is sent.
 */
export function encodeTyped<T, M extends { value: T }>(message: M, codec: Codec<T>, place: TypedMessagePlace): Omit<M, 'value'> & { body: MessageBody } {
  const { operation, channel } = place;
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    const field = place.path ?? place.noun;
    throw new ValidationError({ operation, channel, field, message: `invalid ${field}: must be an object` });
  }
  const { value, ...rest } = message;
  const field = place.path === undefined ? 'value' : `${place.path}.value`;
  return { ...rest, body: encodeValue(codec, value, { operation, channel, field }) };
}

/**
 * A typed channel's send: the message encoded (see encodeTyped), given the channel, and handed to
 * the pattern's own send. Every failure, a refused value included, is a rejection.
 */
export function sendTyped<T, M extends { value: T }, R>(
  message: M,
  codec: Codec<T>,
  place: TypedMessagePlace,
  send: (untyped: Omit<M, 'value'> & { body: MessageBody; channel: string }) => Promise<R>,
): Promise<R> {
  try {
    return send({ ...encodeTyped(message, codec, place), channel: place.channel });
  } catch (err) {
    return Promise.reject(err);
  }
}

/** The received message with its body decoded (see withDecoded). */
export function decodeReceived<M extends { id: string; channel: string; body: Uint8Array }, T>(
  message: M,
  codec: Codec<T>,
  operation: string,
): M & Decoded<T> {
  return withDecoded(message, codec, message.body, { operation, channel: message.channel, messageId: message.id });
}

/** A subscription whose every message arrives decoded; the subscription never fails on a body. */
export function decodeEach<M extends { id: string; channel: string; body: Uint8Array }, T>(
  source: Observable<M>,
  codec: Codec<T>,
  operation: string,
  bufferSize?: number,
): IterableObservable<M & Decoded<T>> {
  const decode = map((message: M) => decodeReceived(message, codec, operation));
  // A source whose loops pause (the events store) or pace it (queue autoAck) keeps doing so decoded.
  return pipeIterable(source, (from) => from.pipe(decode), bufferSize);
}
