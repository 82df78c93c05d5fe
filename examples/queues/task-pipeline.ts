// A task pipeline with @kubemq/queues: a producer sends tasks (some of them poison), workers
// consume them with retries, and tasks that fail three times land in a dead-letter queue.
// Run: KUBEMQ_ADDRESS=localhost:50000 npx tsx examples/queues/task-pipeline.ts
import { KubemqClient } from '@kubemq/core';
import { queueConsumer, queues } from '@kubemq/queues';

const address = process.env['KUBEMQ_ADDRESS'] ?? 'localhost:50000';
const tasks = `tasks.example-${process.pid}`;
const dead = `${tasks}.dead`;

interface Task {
  id: number;
  poison: boolean;
}

async function main(): Promise<void> {
  const client = await KubemqClient.connect({ address, clientId: `task-pipeline-${process.pid}` });
  const q = queues(client);
  try {
    // Producer: 50 tasks in one batch; every tenth one always fails.
    const batch = Array.from({ length: 50 }, (_, i) => ({
      channel: tasks,
      body: JSON.stringify({ id: i, poison: i % 10 === 9 } satisfies Task),
      policy: { maxReceiveCount: 3, deadLetterQueue: dead },
    }));
    const sent = await q.sendBatch(batch);
    if (sent.failed > 0) throw new Error(`${sent.failed} tasks were refused`);
    console.log(`produced ${sent.results.length} tasks`);

    // Workers: two consumers, each running up to 4 handlers at a time. A throw nacks the task,
    // so it comes back (receive count + 1) until maxReceiveCount sends it to the dead letters.
    const done = new Set<number>();
    const attempts = new Map<number, number>();
    const handler = async (msg: { json<T>(): T; receiveCount: number }) => {
      const task = msg.json<Task>();
      attempts.set(task.id, msg.receiveCount);
      if (task.poison) throw new Error(`task ${task.id} cannot be processed`);
      done.add(task.id);
    };
    const workers = [1, 2].map(() => queueConsumer(q, { channel: tasks, maxItems: 10, concurrency: 4, waitTimeoutMs: 1000 }, handler));

    // The dead-letter queue: read what ended there.
    const deadTasks: number[] = [];
    const deadline = Date.now() + 60_000;
    while ((done.size < 45 || deadTasks.length < 5) && Date.now() < deadline) {
      const tx = await q.poll({ channel: dead, maxItems: 5 - deadTasks.length || 1, waitTimeoutMs: 1000 });
      for (const m of tx.messages) {
        deadTasks.push(m.json<Task>().id);
        console.log(`dead letter: task ${m.json<Task>().id} from ${m.reRoutedFromQueue} after ${attempts.get(m.json<Task>().id)} attempts`);
      }
      await tx.ackAll();
    }
    await Promise.all(workers.map((w) => w.stop()));
    const stats = workers.map((w) => w.stats);
    console.log(`processed ${done.size} tasks, ${deadTasks.length} dead-lettered`);
    console.log(`acks ${stats.reduce((n, s) => n + s.acked, 0)}, nacks ${stats.reduce((n, s) => n + s.nacked, 0)}`);
    if (done.size !== 45 || deadTasks.length !== 5) throw new Error('the pipeline did not finish');
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
