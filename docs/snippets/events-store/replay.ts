import { type KubemqClient } from '@kubemq/core';
import { eventsStore, StartPosition } from '@kubemq/events-store';

// Replays the audit log from the beginning and keeps following it. Each event carries its
// sequence and the broker's store time (Date, plus the wire's nanoseconds as a bigint).
export async function replayAuditLog(client: KubemqClient, upTo: number): Promise<void> {
  const log = eventsStore(client).subscribe({ channel: 'audit.logins', startAt: StartPosition.fromFirst() });
  for await (const event of log) {
    console.log(event.sequence, event.timestamp.toISOString(), event.timestampNanos, event.text());
    if (event.sequence >= upTo) break; // leaves the loop and closes the subscription
  }
}
