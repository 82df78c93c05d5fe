import type { Codec } from './codec.js';

/**
 * Raw bytes: the body as it is, sent and received as a `Uint8Array` (a Buffer is one).
 *
 * @example
 * ```ts
 * import { bytesCodec } from '@kubemq/core';
 *
 * const images = bytesCodec();
 * ```
 */
export function bytesCodec(): Codec<Uint8Array> {
  return {
    name: 'bytes',
    encode(value) {
      if (!(value instanceof Uint8Array)) throw new TypeError('expected a Uint8Array');
      return value;
    },
    decode: (body) => body,
  };
}
