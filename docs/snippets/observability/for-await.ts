import { trace } from '@opentelemetry/api';
import { type KubemqClient } from '@kubemq/core';
import { messageContext } from '@kubemq/core/opentelemetry';
import { queues, QueueTransactionError } from '@kubemq/queues';

// A `for await` loop gets no process span from the SDK (it handles each message after it was
// buffered), so it starts its own, with the message's producer as the parent.
export async function work(client: KubemqClient): Promise<void> {
  const tracer = trace.getTracer('billing');
  for await (const message of queues(client).subscribe({ channel: 'invoices', maxItems: 10 })) {
    await tracer.startActiveSpan('bill', {}, messageContext(message), async (span) => {
      try {
        console.log('billing', message.text());
        await message.ack();
      } catch (err) {
        // Lost with its stream (a broker restart): delivered again. queueConsumer() does this for you.
        if (!(err instanceof QueueTransactionError && err.reason === 'lost')) throw err;
      } finally {
        span.end();
      }
    });
  }
}
