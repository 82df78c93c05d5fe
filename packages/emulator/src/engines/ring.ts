// A FIFO queue for the engines and the transport: arrays with shift() are O(n).

/** A FIFO ring buffer: O(1) push and shift. */
export class Ring<T> {
  private buf: (T | undefined)[] = new Array(16);
  private head = 0;
  size = 0;

  push(v: T): void {
    if (this.size === this.buf.length) this.grow();
    this.buf[(this.head + this.size) & (this.buf.length - 1)] = v;
    this.size++;
  }

  peek(): T | undefined {
    return this.size === 0 ? undefined : this.buf[this.head];
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.size--;
    return v;
  }

  /** Empties it, keeping its capacity. */
  clear(): void {
    this.buf.fill(undefined);
    this.head = 0;
    this.size = 0;
  }

  *values(): IterableIterator<T> {
    for (let i = 0; i < this.size; i++) yield this.buf[(this.head + i) & (this.buf.length - 1)] as T;
  }

  private grow(): void {
    const next: (T | undefined)[] = new Array(this.buf.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = this.buf[(this.head + i) & (this.buf.length - 1)];
    this.buf = next;
    this.head = 0;
  }
}
