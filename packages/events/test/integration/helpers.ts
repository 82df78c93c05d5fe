import type { Observable, Subscription } from 'rxjs';
import { KubemqClient, type ClientOptions } from '@kubemq/core';
import { clientInternals } from '@kubemq/core/internal';
import { uniqueClientId } from '@kubemq/testing/jest';
import { receivedEvents } from '../../src/internal/subscribe/subscribe.js';
import { buildEventsSubscribe } from '../../src/internal/subscribe/subscribe-request.js';
import type { EventReceive } from '../../src/index.js';

/** A client on `address` with a unique client id; close it with `await client.close()`. */
export function connect(address: string, prefix = 'events-it', options: ClientOptions = {}): Promise<KubemqClient> {
  return KubemqClient.connect({ address, clientId: uniqueClientId(prefix), ...options });
}

/** Subscribes and collects everything it emits (and an error, if any). */
export function collect<T>(source: Observable<T>): { items: T[]; errors: unknown[]; sub: Subscription } {
  const items: T[] = [];
  const errors: unknown[] = [];
  const sub = source.subscribe({ next: (v) => items.push(v), error: (e) => errors.push(e) });
  return { items, errors, sub };
}

/**
 * What a subscriber built with another SDK receives: every event of the subscription as the broker
 * sends it, readiness probes included (this package's own subscriptions drop them).
 */
export function rawSubscribe(client: KubemqClient, channel: string): Observable<EventReceive> {
  const internals = clientInternals(client);
  return receivedEvents(internals, buildEventsSubscribe({ channel }, internals.clientId), 'events.subscribe');
}
