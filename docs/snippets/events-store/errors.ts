import { ValidationError, type KubemqClient } from '@kubemq/core';
import { eventsStore, StartPosition } from '@kubemq/events-store';

export function subscribeFrom(client: KubemqClient, channel: string, sequence: number) {
  try {
    return eventsStore(client).subscribe({ channel, startAt: StartPosition.atSequence(sequence) });
  } catch (err) {
    // e.g. sequence 0: "invalid startAt.sequence: must be at least 1" (err.field === 'startAt.sequence')
    if (err instanceof ValidationError) console.error(err.field, err.message);
    throw err;
  }
}
