/** A message body to send: a string (sent as UTF-8) or bytes (a Buffer is a Uint8Array). */
export type MessageBody = string | Uint8Array;

/** Message tags: string keys to string values. */
export type Tags = Record<string, string>;

const decoder = /* @__PURE__ */ new TextDecoder();

/**
 * A received body as UTF-8 text.
 *
 * @example
 * ```ts
 * bodyText(new Uint8Array([104, 105])); // 'hi'
 * ```
 */
export function bodyText(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * A received body parsed as JSON (UTF-8). Throws a SyntaxError when the body is not JSON.
 *
 * @example
 * ```ts
 * const order = bodyJson<{ id: string }>(event.body);
 * ```
 */
export function bodyJson<T = unknown>(bytes: Uint8Array): T {
  return JSON.parse(bodyText(bytes)) as T;
}
