/**
 * Waiting items whose deadline may pass before a slot frees (see {@link ConcurrencyLimiter}).
 */
export interface WaitingExpiry<T> {
  /** When `item` is no longer worth running (performance.now() time); Infinity for never. */
  deadline(item: T): number;
  /** `item` left the queue unrun because its deadline passed. */
  expired(item: T): void;
}

/**
 * How often, at most, the waiting items are read for those whose deadline passed (ms): a read
 * goes through the whole queue, so a long queue costs one read per interval, not one per item.
 * An item may so wait this much past its deadline (a slot that frees first skips it anyway).
 */
export const EXPIRY_SWEEP_MS = 100;

/**
 * Runs at most `limit` tasks at once; items that arrive while all slots are busy wait in arrival
 * order. A counter and an array, where rxjs's `mergeMap(from(promise), limit)` builds an inner
 * Observable and a Subscription per item.
 *
 * With `expiry`, a waiting item leaves the queue once its deadline passes (one timer, for the
 * earliest deadline, at most every EXPIRY_SWEEP_MS), so what waits is bounded by arrival rate ×
 * deadline even when every task hangs.
 */
export class ConcurrencyLimiter<T> {
  private active = 0;
  private readonly waiting: (T | undefined)[] = [];
  /** Index of the oldest waiting item (the array is compacted now and then, not shifted). */
  private head = 0;
  /** Waiting for nothing to run or wait (whenIdle), each called once. */
  private idleListeners: (() => void)[] = [];
  /** The expiry timer, set for `timerAt`, while a waiting item has a finite deadline. */
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;
  /** When the queue was last read for expired items. */
  private sweptAt = -Infinity;

  /**
   * @param run starts one task; its promise settling frees the slot.
   * @param onFailure gets a task's rejection (or synchronous throw); the slot is freed either way.
   * @param expiry drops waiting items whose deadline passed; without it, items wait until a slot frees.
   */
  constructor(
    private readonly limit: number,
    private readonly run: (item: T) => Promise<void>,
    private readonly onFailure: (err: unknown) => void,
    private readonly expiry?: WaitingExpiry<T>,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  /** Items waiting for a slot. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  /** Starts `item` now if a slot is free, or queues it. */
  push(item: T): void {
    if (this.active < this.limit) {
      this.start(item);
      return;
    }
    this.waiting.push(item);
    if (this.expiry) this.schedule(this.expiry.deadline(item));
  }

  /** Drops the waiting items (running tasks go on) and returns them, oldest first. */
  clear(): T[] {
    const dropped = this.waiting.slice(this.head) as T[];
    this.emptied();
    return dropped;
  }

  /**
   * Calls `listener` once nothing runs or waits: at once if so now, else when the last task ends
   * (every listener given meanwhile, in order).
   */
  whenIdle(listener: () => void): void {
    if (this.active === 0 && this.queued === 0) listener();
    else this.idleListeners.push(listener);
  }

  private start(item: T): void {
    this.active++;
    let task: Promise<void>;
    try {
      task = this.run(item);
    } catch (err) {
      task = Promise.reject(err);
    }
    task.then(this.settled, this.failed);
  }

  /** Takes the oldest waiting item (there is one). */
  private take(): T {
    const next = this.waiting[this.head] as T;
    this.waiting[this.head++] = undefined;
    if (this.head === this.waiting.length) this.emptied();
    else if (this.head >= 1024 && this.head * 2 >= this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    return next;
  }

  /** Resets the queue, now empty or dropped. */
  private emptied(): void {
    this.waiting.length = 0;
    this.head = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /** Has the expiry timer fire by `at` (never for Infinity), and no sooner than EXPIRY_SWEEP_MS after the last read. */
  private schedule(at: number): void {
    at = Math.max(at, this.sweptAt + EXPIRY_SWEEP_MS);
    if (at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.expire, Math.max(0, Math.ceil(at - performance.now())));
    // Waiting requests alone must not keep a process alive (their stream does, while it is open).
    this.timer.unref?.();
  }

  /** Drops the waiting items whose deadline passed, and sets the timer for the next one. */
  private readonly expire = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const expiry = this.expiry as WaitingExpiry<T>;
    const now = (this.sweptAt = performance.now());
    const expired: T[] = [];
    let next = Infinity;
    let kept = this.head;
    for (let i = this.head; i < this.waiting.length; i++) {
      const item = this.waiting[i] as T;
      const deadline = expiry.deadline(item);
      if (deadline <= now) expired.push(item);
      else {
        this.waiting[kept++] = item;
        next = Math.min(next, deadline);
      }
    }
    this.waiting.length = kept;
    if (this.head === kept) this.emptied();
    else this.schedule(next);
    // Only while every slot is busy does anything wait: no idle listener is due here.
    for (const item of expired) expiry.expired(item);
  };

  private readonly settled = (): void => {
    this.active--;
    if (this.queued > 0) {
      this.start(this.take());
      return;
    }
    if (this.active === 0 && this.idleListeners.length > 0) {
      const listeners = this.idleListeners;
      this.idleListeners = [];
      for (const listener of listeners) listener();
    }
  };

  private readonly failed = (err: unknown): void => {
    try {
      this.onFailure(err);
    } finally {
      this.settled();
    }
  };
}
