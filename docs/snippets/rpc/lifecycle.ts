import { type KubemqClient } from '@kubemq/core';
import { queryResponder } from '@kubemq/rpc';

declare function lookup(sku: string): Promise<number>;

// A responder runs until stop(), its signal, `await using` or the client's close. `done` settles
// once it has stopped; `stats` says what it did; `onError` hears what went wrong without stopping it.
export async function serveUntil(client: KubemqClient, shutdown: AbortSignal): Promise<void> {
  const responder = queryResponder(client, 
    {
      channel: 'inventory.stock',
      group: 'inventory-service',
      signal: shutdown, // aborting it stops the responder, like responder.stop()
      onError: (error, request) => console.error(`stock lookup ${request?.id ?? '(stream)'} failed:`, error),
    },
    async (query) => ({ body: String(await lookup(query.text())) }),
  );
  await responder.ready();
  const report = setInterval(() => {
    const { received, handled, handlerErrors, skipped, waiting } = responder.stats;
    console.log(`received ${received}, handled ${handled}, failed ${handlerErrors}, skipped ${skipped}, waiting ${waiting}`);
  }, 60_000);
  try {
    await responder.done; // resolves when stopped; rejects if the subscription failed for good
  } finally {
    clearInterval(report);
  }
}
