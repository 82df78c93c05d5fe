/**
 * Options of {@link CommandsClient.send} and {@link QueriesClient.send}. Only a signal: how long the
 * broker waits for a responder is the message's own `timeoutMs` (it travels with the request), and
 * the call takes that plus a margin, so a second timeout here would only contradict it.
 *
 * @example
 * ```ts
 * const options: RequestOptions = { signal: AbortSignal.timeout(10_000) };
 * ```
 */
export interface RequestOptions {
  /** Aborts the call: it rejects with a `KubemqError` of code `CANCELLED`. */
  signal?: AbortSignal | undefined;
}
