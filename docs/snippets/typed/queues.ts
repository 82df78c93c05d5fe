import { jsonCodec, type KubemqClient } from '@kubemq/core';
import { queueChannel, queueConsumer } from '@kubemq/queues';

interface Resize {
  image: string;
  width: number;
}

export async function resizeWorker(client: KubemqClient): Promise<void> {
  const jobs = queueChannel(client, { channel: 'images.resize', codec: jsonCodec<Resize>() });
  await jobs.sendBatch([{ value: { image: 'a.png', width: 640 } }, { value: { image: 'b.png', width: 320 } }]);

  // The handler only ever sees decoded jobs. An undecodable message is nacked (its receive count
  // and dead-letter policy apply) and reported to onError with its DecodeError.
  let resized = 0;
  let finished!: () => void;
  const bothDone = new Promise<void>((resolve) => (finished = resolve));
  const worker = queueConsumer(jobs, 
    { concurrency: 4, onError: (err, message) => console.error('job failed', message?.id, err) },
    async (job) => {
      console.log('resize', job.value.image, 'to', job.value.width);
      if (++resized === 2) finished();
    },
  );
  await bothDone;
  await worker.stop(); // the batch in hand is settled (acked) before it resolves

  // The stream API decodes in place: settle the messages as usual.
  const tx = await jobs.poll({ maxItems: 10, waitTimeoutMs: 1000 });
  for (const m of tx.messages) await (m.ok ? m.ack() : m.nack());
}
