import { KubemqClient } from '@kubemq/core';
import { queues } from '@kubemq/queues';

export async function sendWithPolicies(): Promise<void> {
  const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'scheduler' });
  try {
    const q = queues(client);
    // Invisible for 30 s, then deliverable.
    const delayed = await q.send({ channel: 'reminders', body: 'call back', policy: { delaySeconds: 30 } });
    console.log('visible at', delayed.delayedTo?.toISOString());

    // Dropped if nobody takes it within 10 minutes.
    await q.send({ channel: 'offers', body: 'flash sale', policy: { expirationSeconds: 600 } });

    // Delivered at most 3 times; after the third negative settlement it moves to 'tasks.dead'.
    await q.send({
      channel: 'tasks',
      body: 'fragile job',
      policy: { maxReceiveCount: 3, deadLetterQueue: 'tasks.dead' },
    });
  } finally {
    await client.close();
  }
}
