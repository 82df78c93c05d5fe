/**
 * Runs at most `limit` tasks at once; items that arrive while all slots are busy wait in arrival
 * order. A counter and an array, where rxjs's `mergeMap(from(promise), limit)` builds an inner
 * Observable and a Subscription per item.
 */
export class ConcurrencyLimiter<T> {
  private active = 0;
  private readonly waiting: (T | undefined)[] = [];
  /** Index of the oldest waiting item (the array is compacted now and then, not shifted). */
  private head = 0;
  /** Waiting for nothing to run or wait (whenIdle), each called once. */
  private idleListeners: (() => void)[] = [];

  /**
   * @param run starts one task; its promise settling frees the slot.
   * @param onFailure gets a task's rejection (or synchronous throw); the slot is freed either way.
   */
  constructor(
    private readonly limit: number,
    private readonly run: (item: T) => Promise<void>,
    private readonly onFailure: (err: unknown) => void,
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
    if (this.active < this.limit) this.start(item);
    else this.waiting.push(item);
  }

  /** Drops the waiting items (running tasks go on) and returns them, oldest first. */
  clear(): T[] {
    const dropped = this.waiting.slice(this.head) as T[];
    this.waiting.length = 0;
    this.head = 0;
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

  private readonly settled = (): void => {
    this.active--;
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head] as T;
      this.waiting[this.head++] = undefined;
      if (this.head === this.waiting.length) {
        this.waiting.length = 0;
        this.head = 0;
      }
      else if (this.head >= 1024 && this.head * 2 >= this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      this.start(next);
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
