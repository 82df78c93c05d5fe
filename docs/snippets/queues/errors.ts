import { KubemqClient, ValidationError } from '@kubemq/core';
import { queues, QueueTransactionError } from '@kubemq/queues';

export async function handleErrors(): Promise<void> {
  const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'careful' });
  try {
    const q = queues(client);
    try {
      await q.send({ channel: 'tasks', body: 'x', policy: { delaySeconds: 1.5 } }); // not whole seconds
    } catch (err) {
      if (err instanceof ValidationError) console.log(err.field); // 'policy.delaySeconds'; nothing was sent
    }
    const tx = await q.poll({ channel: 'tasks', maxItems: 1, waitTimeoutMs: 1000 });
    await tx.ackAll();
    try {
      await tx.ackAll();
    } catch (err) {
      if (err instanceof QueueTransactionError) console.log(err.reason); // 'settled'; nothing was sent
    }
  } finally {
    await client.close();
  }
}
