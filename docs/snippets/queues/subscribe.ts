import { KubemqClient } from '@kubemq/core';
import { queues } from '@kubemq/queues';

export async function handleOneByOne(signal: AbortSignal): Promise<void> {
  const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'mailer' });
  try {
    // Polls 20 at a time; the next poll goes out once all 20 are settled.
    for await (const msg of queues(client).subscribe({ channel: 'emails', maxItems: 20 })) {
      try {
        console.log('sending', msg.json<{ to: string }>().to);
        await msg.ack();
      } catch {
        await msg.nack(); // retried later (receive count + 1), or dead-lettered
      }
      if (signal.aborted) break; // leaving the loop ends the stream; unsettled messages go back
    }
  } finally {
    await client.close();
  }
}
