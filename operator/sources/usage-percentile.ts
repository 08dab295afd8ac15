// The p95 of usage samples, computed one way for every usage source: the φ-quantile with linear
// interpolation between the closest ranks (rank φ·(n−1)), the definition Prometheus's
// quantile_over_time uses, so a p95 from PodMetrics samples and one from Prometheus agree on the
// same samples. A p95 from too few samples is not a p95: below MIN_USAGE_SAMPLES there is none.

/** Fewest samples behind a p95 the operator reports (20: at least one sample lies above the p95). */
export const MIN_USAGE_SAMPLES = 20;

/** The finite values, sorted ascending (a typed copy sorts numerically without a comparator). */
function sortedFinite(values: ArrayLike<number>): Float64Array {
  const copy = new Float64Array(values);
  let n = 0;
  for (let i = 0; i < copy.length; i++) if (Number.isFinite(copy[i]!)) copy[n++] = copy[i]!;
  return copy.subarray(0, n).sort();
}

function quantileOfSorted(sorted: Float64Array, phi: number): number | null {
  if (sorted.length === 0) return null;
  const rank = phi * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.min(sorted.length - 1, lower + 1);
  const weight = rank - lower;
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

/** The φ-quantile (0 ≤ φ ≤ 1) of `values` with linear interpolation; null for no finite value. */
export function quantile(values: ArrayLike<number>, phi: number): number | null {
  if (!(phi >= 0 && phi <= 1)) throw new RangeError(`quantile: φ must be within 0..1, got ${phi}`);
  return quantileOfSorted(sortedFinite(values), phi);
}

/** p95 of the samples, or null with fewer than MIN_USAGE_SAMPLES finite samples. */
export function p95(values: ArrayLike<number>): number | null {
  const sorted = sortedFinite(values);
  return sorted.length < MIN_USAGE_SAMPLES ? null : quantileOfSorted(sorted, 0.95);
}
