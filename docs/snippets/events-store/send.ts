import { KubemqClient } from '@kubemq/core';
import { eventsStore } from '@kubemq/events-store';

export async function recordLogin(): Promise<void> {
  const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'auth-service' });
  try {
    const result = await eventsStore(client).send({
      channel: 'audit.logins',
      body: JSON.stringify({ user: 7, at: new Date().toISOString() }),
      tags: { outcome: 'success' },
    });
    // Accepted by the broker (which answers before the event is persisted, see below).
    console.log('stored as', result.id);
  } finally {
    await client.close();
  }
}
