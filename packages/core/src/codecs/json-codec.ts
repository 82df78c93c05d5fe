import type { Codec } from './codec.js';

const encoder = /* @__PURE__ */ new TextEncoder();
const decoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });

/** Options of {@link jsonCodec}. */
export interface JsonCodecOptions<T> {
  /** Checks each value before it is sent and after it is parsed; returns it or throws (e.g. a schema's `parse`). */
  validate?: ((value: unknown) => T) | undefined;
}

/**
 * JSON bodies (UTF-8). Without `validate` the received value is trusted to be a `T`.
 *
 * @example
 * ```ts
 * import { jsonCodec } from '@kubemq/core';
 *
 * interface Order { id: number; total: number }
 * const orders = jsonCodec<Order>({
 *   validate: (v) => {
 *     const o = v as Order;
 *     if (typeof o?.id !== 'number' || typeof o.total !== 'number') throw new TypeError('not an Order');
 *     return o;
 *   },
 * });
 * ```
 */
export function jsonCodec<T>(options: JsonCodecOptions<T> = {}): Codec<T> {
  const codec: Codec<T> = {
    name: 'json',
    encode(value) {
      const text = JSON.stringify(value);
      // JSON.stringify returns undefined for undefined, functions and symbols: no JSON at all.
      if (text === undefined) throw new TypeError(`${typeof value} has no JSON representation`);
      return encoder.encode(text);
    },
    decode: (body) => JSON.parse(decoder.decode(body)) as T,
  };
  if (options.validate !== undefined) codec.validate = options.validate;
  return codec;
}
