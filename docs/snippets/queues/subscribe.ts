import { KubemqClient } from '@kubemq/core';
import { queues, QueueTransactionError } from '@kubemq/queues';

export async function handleOneByOne(signal: AbortSignal): Promise<void> {
  const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'mailer' });
  try {
    // Polls 20 at a time; the next poll goes out once all 20 are settled.
    // Aborting the signal ends the loop, also while its poll waits on the broker.
    for await (const msg of queues(client).subscribe({ channel: 'emails', maxItems: 20, signal })) {
      if (msg.settlement === 'released') continue; // its poll was lost with its stream: it comes back
      let sent = true;
      try {
        console.log('sending', msg.json<{ to: string }>().to);
      } catch {
        sent = false;
      }
      try {
        await (sent ? msg.ack() : msg.nack()); // a nack: retried later (receive count + 1), or dead-lettered
      } catch (err) {
        // Lost with its stream (a broker restart, a network drop): the broker delivers it again,
        // and the loop goes on, on a new stream. queueConsumer() does this for you.
        if (!(err instanceof QueueTransactionError && err.reason === 'lost')) throw err;
      }
    }
  } finally {
    await client.close();
  }
}
