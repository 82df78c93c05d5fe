import { type KubemqClient } from '@kubemq/core';
import { eventStream } from '@kubemq/events';

// A send stream of your own for high rates: send() resolves with the event's id once it is
// written (await it for backpressure). The broker answers only failures: they arrive on
// `failures` with that id.
export async function publishTicks(client: KubemqClient): Promise<void> {
  const stream = eventStream(client);
  const failed = stream.failures.subscribe(({ id, error }) => console.error(id, error.code, error.message));
  try {
    for (let i = 0; i < 10_000; i++) {
      await stream.send({ channel: 'metrics.ticks', body: String(i) });
    }
    await stream.flush(); // the broker has processed everything written so far
  } finally {
    // Half-close, then wait for the broker to end the stream: 5 s for all of it at most.
    await stream.close({ timeoutMs: 5_000 });
    failed.unsubscribe();
  }
}

// The failures read with `for await` too: the loop ends when the stream is closed.
export async function logFailures(client: KubemqClient): Promise<string[]> {
  await using stream = eventStream(client, { maxQueued: 50_000 });
  const refused: string[] = [];
  const reading = (async () => {
    for await (const failure of stream.failures) refused.push(failure.id);
  })();
  const { id } = await stream.send({ channel: 'metrics.ticks', body: 'one' });
  console.log('written', id);
  await stream.close();
  await reading;
  return refused;
}
