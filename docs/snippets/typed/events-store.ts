import { textCodec, type KubemqClient } from '@kubemq/core';
import { eventStoreChannel, StartPosition } from '@kubemq/events-store';

export async function auditTrail(client: KubemqClient): Promise<void> {
  const audit = eventStoreChannel(client, { channel: 'audit.logins', codec: textCodec() });
  await audit.send({ value: 'user 7 logged in' });
  for await (const event of audit.subscribe({ startAt: StartPosition.fromFirst() })) {
    console.log(event.sequence, event.ok ? event.value : `undecodable: ${event.decodeError.message}`);
    break;
  }
}
