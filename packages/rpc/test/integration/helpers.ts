import { KubemqClient, type ClientOptions } from '@kubemq/core';
import { uniqueClientId } from '@kubemq/testing/jest';

/** A client on `address` with a unique client id; close it with `await client.close()`. */
export function connect(address: string, prefix = 'rpc-it', options: ClientOptions = {}): Promise<KubemqClient> {
  return KubemqClient.connect({ address, clientId: uniqueClientId(prefix), ...options });
}

/** The rejection of a promise that must reject. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}
