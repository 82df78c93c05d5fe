import { KubemqClient } from '@kubemq/core';
import { queues } from '@kubemq/queues';

export async function drainInBatches(signal: AbortSignal): Promise<void> {
  const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'batcher' });
  try {
    // Each value is a transaction; the next poll goes out only after it is settled or closed.
    for await (const tx of queues(client).transactions({ channel: 'events.raw', maxItems: 100 })) {
      console.log(`got ${tx.messages.length}`);
      await tx.ackAll();
      if (signal.aborted) break;
    }
  } finally {
    await client.close();
  }
}
