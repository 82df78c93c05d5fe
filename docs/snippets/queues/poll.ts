import { KubemqClient } from '@kubemq/core';
import { queues } from '@kubemq/queues';

export async function processOneBatch(): Promise<void> {
  const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'worker' });
  try {
    const q = queues(client);
    const tx = await q.poll({ channel: 'tasks', maxItems: 10, waitTimeoutMs: 2000 });
    if (tx.messages.length === 0) return;
    try {
      for (const m of tx.messages) console.log('processing', m.sequence, m.text());
      await tx.ackAll(); // resolves once the broker has processed the ack
    } catch (err) {
      // Back to the queue, receive count + 1 (or to the dead-letter queue).
      if (tx.state === 'open') await tx.nackAll();
      throw err;
    }
  } finally {
    await client.close();
  }
}

export async function settleOneByOne(): Promise<void> {
  const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'sorter' });
  try {
    const tx = await queues(client).poll({ channel: 'orders', maxItems: 5, waitTimeoutMs: 1000 });
    for (const m of tx.messages) {
      const order = m.json<{ total: number }>();
      if (order.total > 10_000) await m.requeue({ channel: 'orders.review' }); // to another queue
      else if (order.total < 0) await m.nack(); // retry later
      else await m.ack();
    }
    // Or by sequence: await tx.ackSequences([12, 14]);
    // Unsettled messages go back to the queue (no receive-count increment):
    await tx.close();
  } finally {
    await client.close();
  }
}
