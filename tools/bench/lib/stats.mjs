// Small statistics helpers shared by the worker and the runner.

/** The q-quantile (0..1) of numbers, nearest rank; undefined for an empty list. */
export function quantile(values, q) {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** The median of the defined numbers; undefined when none. */
export function median(values) {
  const defined = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  return quantile(defined, 0.5);
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export const wallMs = () => performance.timeOrigin + performance.now();
