import { KubemqError } from '../errors/kubemq-error.js';

/**
 * A bounded FIFO for work issued while the client is not ready. It never grows past `capacity`
 * and never drops anything silently: push() past capacity throws BUFFER_FULL.
 */
export class BoundedBuffer<T> {
  readonly #items: T[] = [];

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#items.length;
  }

  /** Adds at the tail; throws a KubemqError `BUFFER_FULL` (naming `ctx`) when full. */
  push(item: T, ctx: { operation: string; channel?: string } = { operation: 'buffer.push' }): void {
    if (this.#items.length >= this.capacity) {
      throw new KubemqError({
        code: 'BUFFER_FULL',
        message: `${ctx.operation}: ${this.capacity} calls already wait for the connection (maxPendingCalls); raise maxPendingCalls or wait`,
        operation: ctx.operation,
        retryable: true,
        channel: ctx.channel,
      });
    }
    this.#items.push(item);
  }

  /** Removes and returns the head. */
  shift(): T | undefined {
    return this.#items.shift();
  }

  /** Removes one item wherever it is (a waiting call that timed out or was aborted). */
  remove(item: T): boolean {
    const index = this.#items.indexOf(item);
    if (index >= 0) this.#items.splice(index, 1);
    return index >= 0;
  }

  /** Empties the buffer and returns what it held, in order. */
  clear(): T[] {
    return this.#items.splice(0);
  }
}
