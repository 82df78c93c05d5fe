// Latency histogram with logarithmic buckets (2% wide): constant memory for runs of any length,
// percentiles accurate to the bucket width.
const GROWTH = 1.02;
const MIN_MS = 0.01;
const LOG_GROWTH = Math.log(GROWTH);

export class Histogram {
  readonly #counts = new Map<number, number>();
  #total = 0;
  #max = 0;
  #sum = 0;

  record(ms: number): void {
    const v = Math.max(ms, MIN_MS);
    const bucket = Math.floor(Math.log(v / MIN_MS) / LOG_GROWTH);
    this.#counts.set(bucket, (this.#counts.get(bucket) ?? 0) + 1);
    this.#total++;
    this.#sum += ms;
    if (ms > this.#max) this.#max = ms;
  }

  get count(): number {
    return this.#total;
  }

  get max(): number {
    return this.#max;
  }

  get mean(): number {
    return this.#total === 0 ? 0 : this.#sum / this.#total;
  }

  /** The value at quantile q (0..1): the upper edge of the bucket holding it, capped at the max seen. */
  percentile(q: number): number {
    if (this.#total === 0) return 0;
    const rank = Math.ceil(q * this.#total);
    let seen = 0;
    for (const bucket of [...this.#counts.keys()].sort((a, b) => a - b)) {
      seen += this.#counts.get(bucket) ?? 0;
      if (seen >= rank) return Math.min(MIN_MS * GROWTH ** (bucket + 1), this.#max);
    }
    return this.#max;
  }
}
