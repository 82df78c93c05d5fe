// Delayed jobs with @kubemq/queues: jobs scheduled 2, 4 and 6 seconds ahead stay invisible until
// their time, and one that expires before anyone polls is never delivered.
// Run: KUBEMQ_ADDRESS=localhost:50000 npx tsx examples/queues/delayed-jobs.ts
import { KubemqClient } from '@kubemq/core';
import { queues } from '@kubemq/queues';

const address = process.env['KUBEMQ_ADDRESS'] ?? 'localhost:50000';
const channel = `jobs.delayed.example-${process.pid}`;

async function main(): Promise<void> {
  const client = await KubemqClient.connect({ address, clientId: `delayed-jobs-${process.pid}` });
  const q = queues(client);
  const start = Date.now();
  try {
    for (const seconds of [6, 2, 4]) {
      const r = await q.send({ channel, body: `job due in ${seconds}s`, policy: { delaySeconds: seconds } });
      console.log(`scheduled "job due in ${seconds}s" for ${r.delayedTo?.toISOString()}`);
    }
    // Expires 1 s after it becomes visible (the expiry counts from the end of any delay); nobody
    // polls before 1.5 s, so nobody ever gets it.
    await q.send({ channel, body: 'stale job', policy: { expirationSeconds: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const seen: string[] = [];
    while (seen.length < 3 && Date.now() - start < 30_000) {
      const tx = await q.poll({ channel, maxItems: 1, waitTimeoutMs: 1000 });
      for (const m of tx.messages) {
        seen.push(m.text());
        console.log(`${((Date.now() - start) / 1000).toFixed(1)}s: ${m.text()}`);
      }
      await tx.ackAll();
    }
    const leftover = await q.receive({ channel, maxItems: 1, waitTimeoutSeconds: 2 });
    console.log(leftover.messages.length === 0 ? 'the stale job was never delivered' : `unexpected: ${leftover.messages[0]?.text()}`);
    if (seen.join('|') !== 'job due in 2s|job due in 4s|job due in 6s' || leftover.messages.length > 0) {
      throw new Error(`unexpected order: ${seen.join(', ')}`);
    }
  } finally {
    await client.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
