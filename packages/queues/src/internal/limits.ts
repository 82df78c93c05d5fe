/**
 * The broker's queue limits (docs/broker-behaviour.md §4, kubemq-community defaults). A broker configured with
 * other `QUEUE_*` values can be matched with `queues(client, { limits })`.
 *
 * @example
 * ```ts
 * const limits: Partial<QueueLimits> = { maxDelaySeconds: 86_400, maxReceiveCount: 10 };
 * const q = queues(client, { limits });
 * ```
 */
export interface QueueLimits {
  /** `QUEUE_MAX_DELAY_SECONDS`. */
  maxDelaySeconds: number;
  /** `QUEUE_MAX_EXPIRATION_SECONDS`. */
  maxExpirationSeconds: number;
  /** `QUEUE_MAX_RECEIVE_COUNT`. */
  maxReceiveCount: number;
  /** `QUEUE_MAX_NUMBER_OF_MESSAGES`: simple receive / peek. */
  maxReceiveMessages: number;
  /** `QUEUE_MAX_WAIT_TIMEOUT_SECONDS`: simple receive / peek / ack-all. */
  maxWaitSeconds: number;
  /** Largest `maxItems` of a downstream poll (the broker's own default when none is given). */
  maxPollItems: number;
  /** Largest downstream `waitTimeoutMs` this client sends. */
  maxPollWaitMs: number;
}

/**
 * The open-source broker's defaults, which client-side validation uses unless told otherwise.
 *
 * @example
 * ```ts
 * console.log(DEFAULT_QUEUE_LIMITS.maxDelaySeconds); // 43200
 * ```
 */
export const DEFAULT_QUEUE_LIMITS: Readonly<QueueLimits> = Object.freeze({
  maxDelaySeconds: 43_200,
  maxExpirationSeconds: 43_200,
  maxReceiveCount: 1024,
  maxReceiveMessages: 1024,
  maxWaitSeconds: 3600,
  maxPollItems: 200_000,
  maxPollWaitMs: 3_600_000,
});

/**
 * The downstream `WaitTimeout` floor: the broker turns anything lower into 1000 ms, so `poll()`
 * rejects a lower `waitTimeoutMs` instead of silently waiting longer.
 *
 * @example
 * ```ts
 * const tx = await queues(client).poll({ channel: 'tasks', waitTimeoutMs: MIN_POLL_WAIT_MS });
 * ```
 */
export const MIN_POLL_WAIT_MS = 1000;
