import { KubemqClient, KubemqError } from '@kubemq/core';
import { queues } from '@kubemq/queues';

export async function sendTasks(): Promise<void> {
  const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'producer' });
  try {
    const q = queues(client);
    // One message: resolves with the broker's times, throws a KubemqError if the broker refuses it.
    const sent = await q.send({ channel: 'tasks', body: JSON.stringify({ job: 1 }), tags: { kind: 'resize' } });
    console.log(sent.id, sent.sentAt.toISOString());

    // A batch: one entry per message, in order; a refused message does not throw, it is a
    // failure in the results (with its error, and no sentAt).
    const batch = await q.sendBatch([
      { channel: 'tasks', body: 'job 2' },
      { channel: 'tasks', body: 'job 3', metadata: 'urgent' },
    ]);
    for (const r of batch.results) {
      if ('error' in r) console.error(r.id, r.error.brokerCode, r.error.message);
      else console.log(r.id, 'stored at', r.sentAt.toISOString());
    }
    console.log(`${batch.failed} of ${batch.results.length} refused`);
  } catch (err) {
    if (KubemqError.isKubemqError(err)) console.error(err.code, err.brokerCode, err.message);
    throw err;
  } finally {
    await client.close();
  }
}
