import type { StartPosition } from './start-position.js';

/**
 * What to subscribe to, and where to start.
 *
 * @example
 * ```ts
 * const options: EventsStoreSubscription = { channel: 'audit', startAt: StartPosition.atSequence(100) };
 * ```
 */
export interface EventsStoreSubscription {
  /** The channel (no wildcards in the events store). */
  channel: string;
  /**
   * Where delivery starts (default: new events only). See `StartPosition`: every position
   * but `newOnly` also delivers what was stored while the subscription was being registered.
   */
  startAt?: StartPosition | undefined;
  /**
   * A consumer group: each event goes to one member. The broker keeps a group's position durably
   * and shares it across clients, so a group that already exists resumes where it left off and
   * ignores `startAt` (docs/broker-behaviour.md §2.2). So `startAt` is not filtered for a group:
   * an `atSequence(n)` past the end of the channel starts a new group at the channel's next
   * sequence, and the events stored before `n` reach it too. After a break a member re-opens at
   * `startAt`, not after its last event: the group resumes from its own position, at-most-once
   * across the break and with possible repeats, or, if the broker no longer has the group (its
   * store lost or purged), starts again from `startAt`.
   */
  group?: string | undefined;
  /**
   * How many received events may wait for a slow `for await` consumer (default 1024). Past it the
   * loop pauses the stream and resumes it after the last event it holds (the broker keeps the rest).
   * A loop with a `group` cannot resume that way (the broker ignores the start position of a group
   * and has already handed out what was on its way): it fails with `IteratorOverflowError`.
   */
  bufferSize?: number | undefined;
  /**
   * Aborting it ends the subscription quietly: a subscriber sees it complete, and a `for await`
   * loop ends (at once while it waits for an event, else at its next step), so a loop that has
   * caught up can still be stopped. Already aborted, nothing is opened.
   */
  signal?: AbortSignal | undefined;
}
