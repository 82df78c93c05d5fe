import { KubemqClient } from '@kubemq/core';
import { queues } from '@kubemq/queues';

export async function receiveAndInspect(): Promise<void> {
  const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'inspector' });
  try {
    const q = queues(client);
    // Look without removing: waits up to 1 s, the whole second when fewer than 10 are waiting.
    const peeked = await q.peek({ channel: 'tasks', maxItems: 10, waitTimeoutSeconds: 1 });
    console.log('waiting:', peeked.messages.map((m) => m.text()));

    // Take up to 10. At-most-once: the broker acks them before replying.
    const { messages, expired } = await q.receive({ channel: 'tasks', maxItems: 10, waitTimeoutSeconds: 1 });
    for (const m of messages) console.log(m.sequence, m.receiveCount, m.text());
    console.log(`${expired} expired messages were dropped on the way`);

    // Statistics of queues that hold stored messages (exact names only).
    const info = await q.info({ channels: ['tasks'] });
    console.log(info.queues.map((x) => `${x.name}: ${x.messages} stored, ${x.waiting} waiting`));

    // Purge: removes everything that is waiting or arrives within the wait (always takes 1 s here).
    const purged = await q.purge({ channel: 'tasks', waitTimeoutSeconds: 1 });
    console.log(`purged ${purged}`);
  } finally {
    await client.close();
  }
}
