// The time and size of every message a queue has stored (acked or not), by sequence, oldest
// first. QueuesInfo counts from it (acked messages stay stored until retention, §2.4) and
// retention trims it from the front (STORE_MAX_RETENTION, stan MaxAge, §4).

export class StoredIndex {
  private ts = new Float64Array(1024);
  private sizes = new Float64Array(1024);
  private head = 0;
  private len = 0;
  /** Sequence of the oldest entry (the queue's FirstSequence). */
  firstSeq: number;
  bytes = 0;

  constructor(firstSeq = 1) {
    this.firstSeq = firstSeq;
  }

  get count(): number {
    return this.len;
  }

  /** The entry for sequence firstSeq + count. */
  push(tsMs: number, size: number): void {
    if (this.len === this.ts.length) this.grow();
    const i = (this.head + this.len) & (this.ts.length - 1);
    this.ts[i] = tsMs;
    this.sizes[i] = size;
    this.len++;
    this.bytes += size;
  }

  /** Drops entries stored before `cutoffMs`, oldest first; returns how many went. */
  trimBefore(cutoffMs: number): number {
    const mask = this.ts.length - 1;
    let n = 0;
    while (this.len > 0 && (this.ts[this.head] as number) < cutoffMs) {
      this.bytes -= this.sizes[this.head] as number;
      this.head = (this.head + 1) & mask;
      this.len--;
      this.firstSeq++;
      n++;
    }
    return n;
  }

  /** Times and sizes, oldest first (for a compaction record). */
  entries(): { ts: number[]; sizes: number[] } {
    const mask = this.ts.length - 1;
    const ts: number[] = new Array(this.len);
    const sizes: number[] = new Array(this.len);
    for (let k = 0; k < this.len; k++) {
      const i = (this.head + k) & mask;
      ts[k] = this.ts[i] as number;
      sizes[k] = this.sizes[i] as number;
    }
    return { ts, sizes };
  }

  private grow(): void {
    const cap = this.ts.length * 2;
    const ts = new Float64Array(cap);
    const sizes = new Float64Array(cap);
    const mask = this.ts.length - 1;
    for (let k = 0; k < this.len; k++) {
      ts[k] = this.ts[(this.head + k) & mask] as number;
      sizes[k] = this.sizes[(this.head + k) & mask] as number;
    }
    this.ts = ts;
    this.sizes = sizes;
    this.head = 0;
  }
}
