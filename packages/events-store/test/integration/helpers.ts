import type { Observable, Subscription } from 'rxjs';
import { KubemqClient } from '@kubemq/core';
import { uniqueClientId } from '@kubemq/testing/jest';

/** A client on `address` with a unique client id; close it with `await client.close()`. */
export function connect(address: string, prefix = 'events-store-it'): Promise<KubemqClient> {
  return KubemqClient.connect({ address, clientId: uniqueClientId(prefix) });
}

/** Subscribes and collects everything it emits (and an error, if any). */
export function collect<T>(source: Observable<T>): { items: T[]; errors: unknown[]; sub: Subscription } {
  const items: T[] = [];
  const errors: unknown[] = [];
  const sub = source.subscribe({ next: (v) => items.push(v), error: (e) => errors.push(e) });
  return { items, errors, sub };
}
