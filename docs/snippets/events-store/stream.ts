import { type KubemqClient } from '@kubemq/core';
import { eventsStore, type EventStoreResult } from '@kubemq/events-store';

// Every stored event gets its own answer on the stream, matched by id.
export async function importBatch(client: KubemqClient, lines: string[]): Promise<EventStoreResult[]> {
  const stream = eventsStore(client).stream();
  try {
    return await Promise.all(lines.map((line) => stream.send({ channel: 'audit.import', body: line })));
  } finally {
    await stream.close();
  }
}
