/**
 * Options of every call that can wait, in every `@kubemq/*` package. Closed: any other key is a
 * ValidationError naming it, before anything is sent (`timeout` names `timeoutMs` to use).
 *
 * @example
 * ```ts
 * const info = await client.ping({ timeoutMs: 2000, signal: AbortSignal.timeout(5000) });
 * ```
 */
export interface CallOptions {
  /** Aborts the call: it fails with a KubemqError of code `CANCELLED`. */
  signal?: AbortSignal | undefined;
  /**
   * How long the call may take, in ms: measured by the client, from the call to its outcome, a
   * wait for the connection included (while the client reconnects, a call waits for it, bounded by
   * `maxPendingCalls`). When it passes, the call fails with a `TimeoutError` (a `close()` closes
   * instead: it stops waiting for work to drain). A whole number of ms. Default: the client's
   * `defaultTimeoutMs` (for `KubemqClient.close()`: its `drainTimeoutMs`).
   */
  timeoutMs?: number | undefined;
}
