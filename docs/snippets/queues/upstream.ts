import { KubemqClient } from '@kubemq/core';
import { queueUpstream } from '@kubemq/queues';

export async function bulkLoad(lines: string[]): Promise<void> {
  const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'loader' });
  try {
    // One stream for many batches; `await using` closes it gracefully (waits for pending results).
    await using up = queueUpstream(client);
    let failed = 0;
    for (let i = 0; i < lines.length; i += 100) {
      const batch = lines.slice(i, i + 100).map((body) => ({ channel: 'imports', body }));
      const result = await up.send(batch);
      failed += result.failed;
    }
    console.log(`${lines.length - failed} stored, ${failed} refused`);
  } finally {
    await client.close();
  }
}
