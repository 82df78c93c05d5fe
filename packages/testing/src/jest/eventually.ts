/** How long {@link eventually} and {@link probeUntil} keep trying, and how often. */
export interface RetryOptions {
  /** Give up after this long. Default 10000 ms. */
  timeoutMs?: number | undefined;
  /** Pause between attempts. Default 100 ms for eventually, 200 ms for probeUntil. */
  intervalMs?: number | undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function checkRetryOptions(opts: RetryOptions): void {
  if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0)) throw new TypeError('timeoutMs must be a positive number');
  if (opts.intervalMs !== undefined && !(opts.intervalMs > 0)) throw new TypeError('intervalMs must be a positive number');
}

/**
 * Retries `check` until it stops throwing; returns its value. On timeout, throws the last
 * error, with how long it tried.
 */
export async function eventually<T>(check: () => T | Promise<T>, opts: RetryOptions = {}): Promise<T> {
  checkRetryOptions(opts);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 100;
  const deadline = performance.now() + timeoutMs;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      return await check();
    } catch (err) {
      if (performance.now() + intervalMs > deadline) {
        const error = err instanceof Error ? err : new Error(String(err));
        error.message = `eventually: still failing after ${timeoutMs} ms (${attempts} attempts): ${error.message}`;
        throw error;
      }
    }
    await sleep(intervalMs);
  }
}

/**
 * Subscription readiness without sleeping: calls `sendProbe()` every interval until
 * `isReceived()` is true (KubeMQ sends no header when a subscription is established).
 * Resolves with the number of probes sent.
 */
export async function probeUntil(
  sendProbe: () => unknown,
  isReceived: () => boolean,
  opts: RetryOptions = {},
): Promise<number> {
  checkRetryOptions(opts);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 200;
  const deadline = performance.now() + timeoutMs;
  let probes = 0;
  while (performance.now() < deadline) {
    if (isReceived()) return probes;
    probes++;
    await sendProbe();
    const next = Math.min(performance.now() + intervalMs, deadline);
    while (performance.now() < next) {
      if (isReceived()) return probes;
      await sleep(Math.min(10, intervalMs));
    }
  }
  if (isReceived()) return probes;
  throw new Error(`probeUntil: no probe was received within ${timeoutMs} ms (${probes} sent)`);
}
