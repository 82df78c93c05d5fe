/**
 * How `send()` reaches the broker: `'stream'` (default) through one shared `SendEventsStream` per
 * client, which answers every stored event (correlated by id); `'unary'`: one `SendEvent` per event.
 *
 * @example
 * ```ts
 * const mode: EventsStoreSendMode = 'unary';
 * ```
 */
export type EventsStoreSendMode = 'stream' | 'unary';

/**
 * Options of {@link eventsStore}.
 *
 * @example
 * ```ts
 * const unary = eventsStore(client, { sendMode: 'unary' });
 * ```
 */
export interface EventsStoreOptions {
  /** How `send()` reaches the broker (default `'stream'`). */
  sendMode?: EventsStoreSendMode | undefined;
}
