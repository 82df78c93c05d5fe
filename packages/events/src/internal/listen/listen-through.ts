import type { EventsClientImpl } from '../client/events-client.js';
import type { EventReceive } from '../types.js';
import type { ListenOptions } from './listen-types.js';

/**
 * The key under which a typed channel tells `eventListener()` how to listen through it, so the
 * listener needs no typed-channel code and a typed app that never listens bundles no listener.
 */
export const LISTEN_THROUGH: unique symbol = Symbol('kubemq.events.listenThrough');

/** What a typed channel hands `eventListener()`: its events client, the options with its channel, its decoding. */
export interface ListenThrough<E extends EventReceive> {
  events: EventsClientImpl;
  options: ListenOptions;
  deliver: (event: EventReceive) => E;
}

/** Something that can be listened through (a typed channel). */
export interface ListenTarget {
  [LISTEN_THROUGH](options: Omit<ListenOptions, 'channel'>): ListenThrough<EventReceive>;
}

export function isListenTarget(value: unknown): value is ListenTarget {
  return typeof value === 'object' && value !== null && LISTEN_THROUGH in value;
}
