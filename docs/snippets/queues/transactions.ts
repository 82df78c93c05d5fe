import { KubemqClient } from '@kubemq/core';
import { queues, QueueTransactionError } from '@kubemq/queues';

export async function drainInBatches(signal: AbortSignal): Promise<void> {
  const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'batcher' });
  try {
    // Each value is a transaction; the next poll goes out only after it is settled or closed.
    for await (const tx of queues(client).transactions({ channel: 'events.raw', maxItems: 100 })) {
      console.log(`got ${tx.messages.length}`);
      try {
        await tx.ackAll();
      } catch (err) {
        // Lost with its stream (a broker restart, a network drop): the broker delivers these
        // messages again, and the loop goes on, on a new stream. queueConsumer() does this for you.
        if (!(err instanceof QueueTransactionError && err.reason === 'lost')) throw err;
      }
      if (signal.aborted) break;
    }
  } finally {
    await client.close();
  }
}
