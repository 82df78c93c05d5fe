// How many values a subscription's `for await` reader may fall behind by (QueuesSubscription.bufferSize).
import { DEFAULT_ITERATOR_BUFFER_SIZE, validatePositiveInt } from '@kubemq/core/internal';

/**
 * The iterator buffer of `subscribe()` / `transactions()`, validated. `atLeast` is what one poll
 * brings: a transaction's `maxItems` messages for `subscribe()`, one transaction for
 * `transactions()`. Default: the other subscriptions' 1024, raised to `atLeast`. A loop is handed
 * a poll's values one at a time, as it asks (consumer/hand-over.ts), so it never fills the buffer;
 * the floor stays, as the documented bound of the option.
 */
export function iteratorBufferSize(bufferSize: unknown, atLeast: number): number {
  if (bufferSize === undefined) return Math.max(DEFAULT_ITERATOR_BUFFER_SIZE, atLeast);
  return validatePositiveInt(bufferSize, 'bufferSize', { min: atLeast });
}
