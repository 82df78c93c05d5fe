import { KubemqClient } from '@kubemq/core';
import { queueConsumer } from '@kubemq/queues';

export async function runWorker(signal: AbortSignal): Promise<void> {
  const client = await KubemqClient.connect({ address: 'localhost:50000', clientId: 'image-worker' });
  const consumer = queueConsumer(client, 
    { channel: 'images.resize', maxItems: 20, concurrency: 4, signal, onError: (error, msg) => console.warn(msg?.sequence, error) },
    async (msg) => {
      const { url } = msg.json<{ url: string }>();
      if (!url.startsWith('https://')) throw new Error(`refusing ${url}`); // → nack
      console.log('resized', url, 'attempt', msg.receiveCount); // returns → ack
    },
  );
  try {
    await consumer.done; // until the signal aborts (or a non-retryable error)
  } finally {
    console.log(consumer.stats);
    await client.close();
  }
}
