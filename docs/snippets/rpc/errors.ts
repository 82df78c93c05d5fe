import { KubemqError, TimeoutError, ValidationError, type KubemqClient } from '@kubemq/core';
import { queries, type QueryResponse } from '@kubemq/rpc';

export async function ask(client: KubemqClient, channel: string, question: string): Promise<QueryResponse | undefined> {
  try {
    return await queries(client).send({ channel, body: question, timeoutMs: 2_000 });
  } catch (err) {
    if (err instanceof ValidationError) {
      // Nothing was sent. `field` names the input: 'channel', 'timeoutMs', 'body', 'cacheTtlSeconds', …
      throw new Error(`fix ${err.field}: ${err.message}`);
    }
    if (err instanceof TimeoutError) return undefined; // nobody answered in time (retryable)
    if (KubemqError.isKubemqError(err) && err.retryable) return undefined; // e.g. reconnecting
    throw err;
  }
}
