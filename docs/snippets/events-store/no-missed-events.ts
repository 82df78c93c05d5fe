import { type KubemqClient } from '@kubemq/core';
import { eventsStore, StartPosition, type EventStoreReceive } from '@kubemq/events-store';

// Resumes a projection after the last sequence it processed: whatever was stored meanwhile, and
// whatever is stored while the broker registers this subscription, is delivered, in order. No
// readiness wait: the events are in the store.
// Once caught up, the loop waits in next() for the next event, where no check in its body runs:
// the signal (aborted on SIGTERM, say) goes to subscribe(), and ends the loop there too.
export async function followFrom(
  client: KubemqClient,
  channel: string,
  lastProcessed: number,
  apply: (event: EventStoreReceive) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const startAt = lastProcessed > 0 ? StartPosition.atSequence(lastProcessed + 1) : StartPosition.fromFirst();
  for await (const event of eventsStore(client).subscribe({ channel, startAt, signal })) {
    await apply(event); // an abort meanwhile ends the loop once this event is applied
  }
}
