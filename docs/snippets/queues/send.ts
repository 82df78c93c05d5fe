import { KubemqClient, KubemqError } from '@kubemq/core';
import { queues } from '@kubemq/queues';

export async function sendTasks(): Promise<void> {
  const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'producer' });
  try {
    const q = queues(client);
    // One message: resolves with the broker's times, throws a KubemqError if the broker refuses it.
    const sent = await q.send({ channel: 'tasks', body: JSON.stringify({ job: 1 }), tags: { kind: 'resize' } });
    console.log(sent.id, sent.sentAt?.toISOString());

    // A batch: one result per message, in order; per-message failures do not throw.
    const batch = await q.sendBatch([
      { channel: 'tasks', body: 'job 2' },
      { channel: 'tasks', body: 'job 3', metadata: 'urgent' },
    ]);
    if (batch.failed > 0) {
      for (const r of batch.results) if (r.error) console.error(r.id, r.error.brokerCode, r.error.message);
    }
  } catch (err) {
    if (KubemqError.isKubemqError(err)) console.error(err.code, err.brokerCode, err.message);
    throw err;
  } finally {
    await client.close();
  }
}
