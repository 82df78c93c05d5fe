import { KubemqClient } from '@kubemq/core';
import { events } from '@kubemq/events';

export async function sendOne(): Promise<void> {
  const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'notifier' });
  try {
    const result = await events(client).send({
      channel: 'notifications.email',
      body: JSON.stringify({ user: 42, text: 'Your order shipped' }),
      metadata: 'order-shipped',
      tags: { priority: 'high' },
    });
    console.log('accepted by the broker as', result.id);
  } finally {
    await client.close();
  }
}
