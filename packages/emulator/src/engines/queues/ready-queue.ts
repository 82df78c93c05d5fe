// The messages of one queue that wait for a consumer, in sequence order.
// New messages always carry the highest sequence, so they go to a ring buffer (O(1));
// messages handed back without a new sequence (a closed transaction, a peek) go to a
// min-heap (O(log n)). pop() takes the lower sequence of the two heads.

import { Ring } from '../ring.js';

export interface Sequenced {
  readonly seq: number;
}

/** A binary min-heap ordered by a key function. */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(v: T): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a[i] as T, a[p] as T)) break;
      [a[i], a[p]] = [a[p] as T, a[i] as T];
      i = p;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop() as T;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l] as T, a[m] as T)) m = l;
        if (r < a.length && this.less(a[r] as T, a[m] as T)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as T, a[i] as T];
        i = m;
      }
    }
    return top;
  }

  values(): readonly T[] {
    return this.items;
  }
}

export class ReadyQueue<T extends Sequenced> {
  private readonly fresh = new Ring<T>();
  private readonly returned = new MinHeap<T>((a, b) => a.seq < b.seq);

  get size(): number {
    return this.fresh.size + this.returned.size;
  }

  /** A message with a sequence higher than any before it. */
  pushNew(m: T): void {
    this.fresh.push(m);
  }

  /** A message handed back with its old sequence: it goes before newer ones. */
  pushBack(m: T): void {
    const tail = this.fresh.peek();
    if (this.returned.size === 0 && tail === undefined) this.fresh.push(m);
    else this.returned.push(m);
  }

  /** The lowest sequence waiting, without taking it. */
  peek(): T | undefined {
    const a = this.fresh.peek();
    const b = this.returned.peek();
    return b !== undefined && (a === undefined || b.seq < a.seq) ? b : a;
  }

  pop(): T | undefined {
    const a = this.fresh.peek();
    const b = this.returned.peek();
    if (b !== undefined && (a === undefined || b.seq < a.seq)) return this.returned.pop();
    return this.fresh.shift();
  }

  /** Every waiting message (any order). */
  *values(): IterableIterator<T> {
    yield* this.fresh.values();
    yield* this.returned.values();
  }
}
