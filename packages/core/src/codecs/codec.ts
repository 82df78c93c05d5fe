import type { DecodeError } from '../internal/errors/kubemq-error.js';
import type { MessageBody } from '../client/body.js';

/**
 * Turns typed values into message bodies and back, for the typed channels of every pattern
 * (`eventChannel`, `eventStoreChannel`, `queueChannel`, `commandChannel`, `queryChannel`).
 * Use {@link jsonCodec}, {@link textCodec} or {@link bytesCodec}, or write your own.
 *
 * @example
 * ```ts
 * import type { Codec } from '@kubemq/core';
 *
 * // A user codec: temperatures travel as 8-byte IEEE doubles.
 * const celsius: Codec<number> = {
 *   name: 'float64',
 *   encode: (value) => new Uint8Array(new Float64Array([value]).buffer),
 *   decode: (body) => new DataView(body.buffer, body.byteOffset, body.byteLength).getFloat64(0, true),
 *   validate: (value) => {
 *     if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError('not a temperature');
 *     return value;
 *   },
 * };
 * ```
 */
export interface Codec<T> {
  /** A short name for errors (`json`, `text`, …). Default `custom`. */
  readonly name?: string | undefined;
  /** The body for a value. Throwing refuses the send with a ValidationError (nothing is sent). */
  encode(value: T): MessageBody;
  /** The value of a received body. Throwing makes that one message carry a DecodeError. */
  decode(body: Uint8Array): T;
  /**
   * Checks a value and returns it (possibly narrowed or transformed), or throws: runs on every
   * value before it is encoded and after every decode. A schema's `parse` fits here.
   */
  validate?: ((value: unknown) => T) | undefined;
}

/**
 * The outcome of decoding one received message, merged into the message: `ok` with the typed
 * `value`, or not `ok` with the `decodeError` that says why (the subscription goes on).
 *
 * @example
 * ```ts
 * import type { Decoded } from '@kubemq/core';
 *
 * function show(message: Decoded<{ id: number }>): string {
 *   return message.ok ? `order ${message.value.id}` : `undecodable: ${message.decodeError.message}`;
 * }
 * ```
 */
export type Decoded<T> =
  | {
      /** The body decoded (and passed the codec's validation). */
      readonly ok: true;
      /** The decoded value. */
      readonly value: T;
      /** Absent when `ok`. */
      readonly decodeError?: undefined;
    }
  | {
      /** The body could not be decoded or failed the codec's validation. */
      readonly ok: false;
      /** Absent when not `ok`. */
      readonly value?: undefined;
      /** Why, with the codec's error as `cause`. */
      readonly decodeError: DecodeError;
    };
