import { type KubemqClient } from '@kubemq/core';
import { events } from '@kubemq/events';

// One SendEvent call per event instead of the shared send stream (see "How send() works").
export async function sendUnary(client: KubemqClient): Promise<void> {
  await events(client, { sendMode: 'unary' }).send({ channel: 'notifications.sms', body: 'hi' });
}
