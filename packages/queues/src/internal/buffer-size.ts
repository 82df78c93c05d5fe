// How many values a subscription's `for await` reader may fall behind by (QueuesSubscription.bufferSize).
import { DEFAULT_ITERATOR_BUFFER_SIZE, validatePositiveInt } from '@kubemq/core/internal';

/**
 * The iterator buffer of `subscribe()` / `transactions()`, validated. `atLeast` is what one poll
 * hands over at once: a transaction's `maxItems` messages for `subscribe()` (they arrive together,
 * so a smaller buffer would overflow on every full batch), one transaction for `transactions()`.
 * Default: the other subscriptions' 1024, raised to `atLeast`.
 */
export function iteratorBufferSize(bufferSize: unknown, atLeast: number): number {
  if (bufferSize === undefined) return Math.max(DEFAULT_ITERATOR_BUFFER_SIZE, atLeast);
  return validatePositiveInt(bufferSize, 'bufferSize', { min: atLeast });
}
