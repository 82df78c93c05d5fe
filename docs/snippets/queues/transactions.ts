import { KubemqClient } from '@kubemq/core';
import { queues, QueueTransactionError } from '@kubemq/queues';

export async function drainInBatches(signal: AbortSignal): Promise<void> {
  const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'batcher' });
  try {
    // Each value is a transaction; the next poll goes out only after it is settled or closed.
    // Aborting the signal ends the loop once the transaction in hand is settled, or while it waits.
    for await (const tx of queues(client).transactions({ channel: 'events.raw', maxItems: 100, signal })) {
      console.log(`got ${tx.messages.length}`);
      try {
        await tx.ackAll();
      } catch (err) {
        // Lost with its stream (a broker restart, a network drop): the broker delivers these
        // messages again, and the loop goes on, on a new stream. queueConsumer() does this for you.
        if (!(err instanceof QueueTransactionError && err.reason === 'lost')) throw err;
      }
    }
  } finally {
    await client.close();
  }
}
