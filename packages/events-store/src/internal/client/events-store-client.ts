import type { CallOptions, IterableObservable } from '@kubemq/core';
import type { EventStore, EventStoreReceive, EventStoreSendResult } from '../messages.js';
import type { EventsStoreSubscription } from '../subscribe/events-store-subscription.js';

/**
 * The events store attached to a client, from {@link eventsStore}: persistent publish/subscribe
 * with replay.
 *
 * Only an object made by {@link eventsStore} is accepted where a client of this pattern is taken
 * (`eventStoreChannel()`, which also takes a `KubemqClient`): another object of this shape, such as
 * a decorator or a test double, is refused with a `ValidationError` (`invalid client`). A test
 * double should wrap a real client (and hand these functions the client itself), or run against the
 * broker of `@kubemq/testing`.
 *
 * @example
 * ```ts
 * const store: EventsStoreClient = eventsStore(client);
 * await store.send({ channel: 'audit', body: 'user 7 logged in' });
 * ```
 */
export interface EventsStoreClient {
  /**
   * Stores one event; resolves with the broker's answer, rejects with its error. The broker
   * answers before the event is persisted (see {@link EventStoreSendResult}).
   *
   * @throws ValidationError (as a rejection) for a bad event or option, naming the field; nothing
   *   is sent then. TimeoutError after `timeoutMs`; KubemqError `CANCELLED` when `signal` aborts.
   */
  send(event: EventStore, options?: CallOptions): Promise<EventStoreSendResult>;
  /**
   * Subscribes from a start position. The Observable is cold (subscribing opens the subscription,
   * unsubscribing cancels it) and also works with `for await`. After a reconnect a subscription
   * without a `group` re-opens at the last delivered sequence + 1: no gap, no repeat. One with a
   * `group` re-opens at its start position, which the broker ignores while the group exists: the
   * group resumes from its own position, at-most-once across the break (the events on their way to
   * this member when it broke reach no member) and with possible repeats; a group the broker no
   * longer has (its store lost or purged) starts again from that position.
   *
   * A start position that reaches back into the store (`fromFirst`, `atSequence`, `atTime`, …)
   * also delivers what is stored while the subscription is being registered, so nothing needs to
   * wait for it to be live; only `newOnly` (the default) misses what is stored before the broker
   * has registered it.
   *
   * Each subscription (and each re-open) uses a ClientID of its own, `<clientId>-<random>`, because
   * the broker keeps events-store subscriptions durable per ClientID and would otherwise refuse a
   * second one or ignore the start position (docs/broker-behaviour.md §2.2).
   *
   * @throws ValidationError for bad options, naming the field (`channel`, `group`,
   *   `startAt.sequence`, `startAt.deltaSeconds`, …); nothing is sent then.
   */
  subscribe(options: EventsStoreSubscription): IterableObservable<EventStoreReceive>;
}
