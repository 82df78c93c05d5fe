// What the pattern benches share: timing calls at a given number in flight, the median latency of
// calls made one at a time, and the per-round table they print.

/** Runs `one` `n` times, `inFlight` at a time; the wall time in ms. */
export async function concurrent(n: number, inFlight: number, one: () => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < n) await one();
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The median time of `n` calls of `one`, one after another, in ms. */
export async function medianLatencyMs(n: number, one: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await one();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(n / 2)] as number;
}

/** One line per measured thing, one value per round. */
export class RoundTable {
  readonly #rows: Record<string, number[]> = {};

  record(name: string, value: number): void {
    (this.#rows[name] ??= []).push(value);
  }

  /** Prints `title`, then each row: latencies (names with "latency") in ms to the µs, rates rounded. */
  print(title: string, nameWidth: number): void {
    console.log(title);
    for (const [name, values] of Object.entries(this.#rows)) {
      const fmt = (v: number) => (name.includes('latency') ? v.toFixed(3) : Math.round(v).toLocaleString('en-US'));
      console.log(`${name.padEnd(nameWidth)} ${values.map(fmt).join('  ')}`);
    }
  }
}
