/**
 * The gRPC deadline of a `SendRequest` whose `Timeout` is `timeoutMs`: past it by 10 %, at least a
 * second, so the broker's `Error 301` (its answer to "nobody replied in time"), or a late reply,
 * arrives before the client gives up.
 */
export function requestDeadlineMs(timeoutMs: number): number {
  return timeoutMs + Math.max(1_000, Math.ceil(timeoutMs / 10));
}
