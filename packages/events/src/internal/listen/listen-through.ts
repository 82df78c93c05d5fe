import type { EventsClientImpl } from '../client/events-client.js';
import type { EventReceive } from '../types.js';
import type { ListenOptions } from './listen-types.js';

/** What a typed channel hands `eventListener()`: its events client, the options with its channel, its decoding. */
export interface ListenThrough<E extends EventReceive> {
  events: EventsClientImpl;
  options: ListenOptions;
  deliver: (event: EventReceive) => E;
}

type Through = (options: Omit<ListenOptions, 'channel'>) => ListenThrough<EventReceive>;

/**
 * How `eventListener()` listens through each typed channel, filled by `eventChannel()`: the
 * listener needs no typed-channel code, and a typed app that never listens bundles no listener.
 */
const throughs = new WeakMap<object, Through>();

export function registerListenThrough(channel: object, through: Through): void {
  throughs.set(channel, through);
}

/** How to listen through `value` when it is a typed channel, else undefined. */
export function listenThroughOf(value: unknown): Through | undefined {
  return typeof value === 'object' && value !== null ? throughs.get(value) : undefined;
}
