import { type KubemqClient } from '@kubemq/core';
import { eventStoreStream, type EventStoreSendResult } from '@kubemq/events-store';

// Every stored event gets its own answer on the stream, matched by id.
export async function importBatch(client: KubemqClient, lines: string[]): Promise<EventStoreSendResult[]> {
  const stream = eventStoreStream(client);
  try {
    return await Promise.all(lines.map((line) => stream.send({ channel: 'audit.import', body: line })));
  } finally {
    // One bound for the whole close: outstanding answers, half-close, the broker's end.
    await stream.close({ timeoutMs: 5_000 });
  }
}
