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
  /** `QUEUE_MAX_DELAY_SECONDS`: the largest `policy.delaySeconds`. */
  maxDelaySeconds: number;
  /** `QUEUE_MAX_EXPIRATION_SECONDS`: the largest `policy.expirationSeconds`. */
  maxExpirationSeconds: number;
  /** `QUEUE_MAX_RECEIVE_COUNT`: the largest `policy.maxReceiveCount`. */
  maxReceiveCount: number;
  /** `QUEUE_MAX_NUMBER_OF_MESSAGES`: the largest `maxItems` of a simple receive or peek. */
  maxReceiveItems: number;
  /** `QUEUE_MAX_WAIT_TIMEOUT_SECONDS`: the largest `waitTimeoutSeconds` of a receive, peek or purge. */
  maxReceiveWaitSeconds: number;
  /** Largest `maxItems` of a poll (the broker's own default when none is given). */
  maxPollItems: number;
  /** Largest `waitTimeoutMs` of a poll (`poll()`, `subscribe()`, `transactions()`, `queueConsumer()`) this client sends. */
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
export const DEFAULT_QUEUE_LIMITS: Readonly<QueueLimits> = /* @__PURE__ */ Object.freeze({
  maxDelaySeconds: 43_200,
  maxExpirationSeconds: 43_200,
  maxReceiveCount: 1024,
  maxReceiveItems: 1024,
  maxReceiveWaitSeconds: 3600,
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
