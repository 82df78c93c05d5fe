/** How the client retries a lost connection. */
export interface ReconnectPolicy {
  /** Delay cap of the first attempt, in ms. Default 500. */
  initialDelayMs: number;
  /** Upper bound for any delay, in ms. Default 4000. */
  maxDelayMs: number;
  /** Growth of the delay cap per attempt. Default 2. */
  multiplier: number;
  /** Attempts before giving up with RECONNECT_FAILED; `Infinity` retries forever (the default). */
  maxAttempts: number;
}

// A 4 s ceiling brings subscriptions back within about 5 s of the broker's return (the SDK's
// promise), at the cost of one connection attempt every few seconds per client during an outage.
export const DEFAULT_RECONNECT_POLICY: Readonly<ReconnectPolicy> = {
  initialDelayMs: 500,
  maxDelayMs: 4_000,
  multiplier: 2,
  maxAttempts: Infinity,
};

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(max, initial × multiplier^attempt)).
 * Full jitter spreads the reconnects of many clients after a broker restart.
 *
 * @param attempt 0 for the first retry.
 * @param random injectable for tests; returns a value in [0, 1).
 */
export function computeBackoff(policy: ReconnectPolicy, attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** Math.max(0, attempt));
  return Math.floor(random() * cap);
}
