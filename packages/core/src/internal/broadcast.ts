// Hot sources for the SDK's own streams of news (a connection's state, an event stream's
// failures): what `next` emits reaches every current subscriber, as from rxjs's Subject and
// BehaviorSubject. Written here on `observable()` because each of rxjs's modules costs a cold start
// its load (Subject and BehaviorSubject took about 4 ms of it, docs/benchmarks.md "Startup"); what
// subscribers get is rxjs's own Observable and Subscriber, so operators, `instanceof` and error
// reporting are rxjs's.
import type { Observable, Subscriber } from 'rxjs';
import { observable } from './rx.js';

/** rxjs's Subject, as far as the SDK uses one: emit to the current subscribers, then complete. */
export class Broadcast<T> {
  readonly #subscribers = new Set<Subscriber<T>>();
  #completed = false;

  /**
   * Subscribers see what is emitted after they subscribe; after `complete()`, only completion (a
   * ValueBroadcast's last value first).
   */
  readonly observable: Observable<T> = observable<T>((subscriber) => {
    if (this.#completed) {
      this.subscribed?.(subscriber);
      subscriber.complete();
      return undefined;
    }
    // Added before the replay, as rxjs does: a value emitted from inside the replay reaches it too.
    // A subscriber that unsubscribes during the replay is removed by the teardown at once.
    this.#subscribers.add(subscriber);
    this.subscribed?.(subscriber);
    return () => this.#subscribers.delete(subscriber);
  });

  /** Whether anyone is subscribed. */
  get observed(): boolean {
    return this.#subscribers.size > 0;
  }

  /** Whether `complete()` has been called. */
  get completed(): boolean {
    return this.#completed;
  }

  /** Emits `value` to every current subscriber (nothing after `complete()`). */
  next(value: T): void {
    if (this.#completed) return;
    // A copy: a subscriber may unsubscribe (or subscribe another) while it is told.
    for (const subscriber of [...this.#subscribers]) subscriber.next(value);
  }

  /** Completes every subscriber, and every later one at once. */
  complete(): void {
    if (this.#completed) return;
    this.#completed = true;
    const subscribers = [...this.#subscribers];
    this.#subscribers.clear();
    for (const subscriber of subscribers) subscriber.complete();
  }

  /** Called for each new subscriber once it is added (a value to replay). */
  protected subscribed?(subscriber: Subscriber<T>): void;
}

/**
 * rxjs's BehaviorSubject: a current value, which every new subscriber gets first. Also one that
 * comes after `complete()`, which BehaviorSubject only completes: a client's `state$` read after
 * `close()` says 'closed' rather than nothing.
 */
export class ValueBroadcast<T> extends Broadcast<T> {
  #value: T;

  constructor(initial: T) {
    super();
    this.#value = initial;
  }

  /** The last value emitted (the initial one before any). */
  get value(): T {
    return this.#value;
  }

  /** Keeps `value` as the current one, then emits it. */
  override next(value: T): void {
    if (this.completed) return;
    this.#value = value;
    super.next(value);
  }

  /** A new subscriber gets the current value first. */
  protected override subscribed(subscriber: Subscriber<T>): void {
    subscriber.next(this.#value);
  }
}
