import { KubemqClient } from '@kubemq/core';
import { uniqueClientId } from '@kubemq/testing/jest';

/** A client on `address` with a unique client id; close it with `await client.close()`. */
export function connect(address: string, prefix = 'queues-it'): Promise<KubemqClient> {
  return KubemqClient.connect({ address, clientId: uniqueClientId(prefix) });
}

/** `n` distinct bodies, so deliveries can be counted per message. */
export function bodies(n: number, prefix = 'm'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
}
