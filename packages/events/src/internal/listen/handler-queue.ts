/**
 * Runs at most `concurrency` handler calls at once; items that arrive while every slot is busy
 * wait in arrival order, at most `capacity` of them. `run` must not reject (the listener reports
 * its own failures).
 */
export class HandlerQueue<T> {
  private active = 0;
  private readonly waitingItems: (T | undefined)[] = [];
  /** Index of the oldest waiting item (the array is compacted now and then, not shifted). */
  private head = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly capacity: number,
    private readonly run: (item: T) => Promise<void>,
  ) {}

  /** Handler calls running now. */
  get running(): number {
    return this.active;
  }

  /** Items waiting for a slot. */
  get waiting(): number {
    return this.waitingItems.length - this.head;
  }

  /** Starts `item` now if a slot is free, or queues it; false (nothing kept) when the queue is full. */
  offer(item: T): boolean {
    if (this.active < this.concurrency) {
      this.start(item);
      return true;
    }
    if (this.waiting >= this.capacity) return false;
    this.waitingItems.push(item);
    return true;
  }

  /** Resolves once nothing runs or waits (at once when so now). */
  idle(): Promise<void> {
    if (this.active === 0 && this.waiting === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private start(item: T): void {
    this.active++;
    void this.run(item).then(this.settled);
  }

  private readonly settled = (): void => {
    this.active--;
    if (this.head < this.waitingItems.length) {
      const next = this.waitingItems[this.head] as T;
      this.waitingItems[this.head++] = undefined;
      if (this.head === this.waitingItems.length) {
        this.waitingItems.length = 0;
        this.head = 0;
      } else if (this.head >= 1024 && this.head * 2 >= this.waitingItems.length) {
        this.waitingItems.splice(0, this.head);
        this.head = 0;
      }
      this.start(next);
      return;
    }
    if (this.active === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };
}
