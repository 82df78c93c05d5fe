import type { Codec } from './codec.js';

const decoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });

/**
 * UTF-8 text bodies. A body that is not valid UTF-8 is a decode error, not replacement characters.
 *
 * @example
 * ```ts
 * import { textCodec } from '@kubemq/core';
 *
 * const lines = textCodec();
 * ```
 */
export function textCodec(): Codec<string> {
  return {
    name: 'text',
    encode(value) {
      if (typeof value !== 'string') throw new TypeError(`expected a string, got ${typeof value}`);
      return value;
    },
    decode: (body) => decoder.decode(body),
  };
}
