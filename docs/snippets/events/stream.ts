import { type KubemqClient } from '@kubemq/core';
import { events } from '@kubemq/events';

// A send stream of your own for high rates: send() resolves when the event is written (await it
// for backpressure); broker errors for single events arrive on `failures`, by event id.
export async function publishTicks(client: KubemqClient): Promise<void> {
  const stream = events(client).stream();
  const failed = stream.failures.subscribe(({ eventId, error }) => console.error(eventId, error.code, error.message));
  try {
    for (let i = 0; i < 10_000; i++) {
      await stream.send({ channel: 'metrics.ticks', body: String(i) });
    }
    await stream.flush(); // the broker has processed everything written so far
  } finally {
    await stream.close(); // half-close, then wait for the broker to end the stream
    failed.unsubscribe();
  }
}
