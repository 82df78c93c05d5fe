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
    if (err instanceof TimeoutError) {
      // sent: false: the broker was unreachable for the whole timeout, so it never went out (its
      // cause is the last reconnect attempt's failure). sent: true: nobody answered in time. A
      // query is safe to ask again either way; a command that was sent may have run.
      console.warn(err.sent === false ? `not sent: ${err.message}` : `no answer within ${err.timeoutMs} ms`);
      return undefined;
    }
    if (KubemqError.isKubemqError(err) && err.retryable) return undefined; // e.g. the connection dropped the call
    throw err;
  }
}
