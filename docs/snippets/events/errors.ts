import { KubemqError, ValidationError, type KubemqClient } from '@kubemq/core';
import { events } from '@kubemq/events';

export async function sendSafely(client: KubemqClient, channel: string, body: string): Promise<boolean> {
  try {
    await events(client).send({ channel, body }, { timeoutMs: 2_000 });
    return true;
  } catch (err) {
    if (err instanceof ValidationError) {
      // Bad input: nothing was sent. `field` names it: 'channel', 'body', 'tags.x', …
      throw new Error(`fix the ${err.field}: ${err.message}`);
    }
    if (KubemqError.isKubemqError(err) && err.retryable) return false; // e.g. UNAVAILABLE while reconnecting
    throw err;
  }
}
