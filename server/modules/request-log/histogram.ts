// Fixed log-spaced latency buckets shared by the rollups (Postgres int[]),
// the dashboards' percentiles and the in-process Prometheus histograms.
// The bounds are part of the storage format: rollup rows written with other
// bounds cannot be summed with these, so changing them needs a migration that
// rewrites (or drops) the rollups.

/** Bucket bounds in ms: 2^(k/2) for k = 0..36, i.e. 1 ms .. 262 s, each bucket √2 wide. */
export const HISTOGRAM_BOUNDS_MS: readonly number[] = Object.freeze(Array.from({ length: 37 }, (_, k) => 2 ** (k / 2)));

/** Buckets per histogram: one below the first bound, one between each pair, one at or above the last. */
export const HISTOGRAM_SIZE = HISTOGRAM_BOUNDS_MS.length + 1;

/**
 * The bucket of a value, exactly as Postgres's `width_bucket(value, bounds)`:
 * 0 below the first bound, i for bounds[i-1] <= value < bounds[i], and
 * HISTOGRAM_SIZE - 1 at or above the last bound.
 */
export function bucketIndex(valueMs: number): number {
  if (!(valueMs >= HISTOGRAM_BOUNDS_MS[0])) return 0; // also NaN
  let lo = 0;
  let hi = HISTOGRAM_BOUNDS_MS.length; // invariant: bounds[lo] <= value, answer in (lo, hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (HISTOGRAM_BOUNDS_MS[mid] <= valueMs) lo = mid;
    else hi = mid;
  }
  return lo + 1;
}

/** [lower, upper) of bucket `index` in ms; the last bucket's upper bound is Infinity. */
export function bucketRange(index: number): [number, number] {
  const lower = index === 0 ? 0 : HISTOGRAM_BOUNDS_MS[index - 1];
  const upper = index >= HISTOGRAM_BOUNDS_MS.length ? Number.POSITIVE_INFINITY : HISTOGRAM_BOUNDS_MS[index];
  return [lower, upper];
}

/** An empty histogram (counts per bucket). */
export function emptyHistogram(): number[] {
  return new Array<number>(HISTOGRAM_SIZE).fill(0);
}

export function histogramTotal(counts: readonly number[]): number {
  let total = 0;
  for (const count of counts) total += count;
  return total;
}

/**
 * The q-quantile (0 < q <= 1) estimated from bucket counts: find the bucket
 * holding the rank q·N and interpolate inside it, geometrically (the buckets
 * are log-spaced), linearly in the first bucket [0, 1 ms). The estimate always
 * lies in the bucket that holds the exact value of that rank. `maxMs` (the
 * largest value seen) caps the open last bucket; without it that bucket
 * answers its lower bound. Null when the histogram is empty.
 */
export function quantileFromHistogram(counts: readonly number[], q: number, maxMs?: number | null): number | null {
  const total = histogramTotal(counts);
  if (total === 0) return null;
  const rank = Math.min(Math.max(q, 0), 1) * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i];
    if (count === 0) continue;
    if (below + count >= rank) {
      const fraction = Math.min(Math.max((rank - below) / count, 0), 1);
      const [lower, upper] = bucketRange(i);
      if (!Number.isFinite(upper)) {
        const top = maxMs != null && maxMs > lower ? maxMs : lower;
        return lower + (top - lower) * fraction;
      }
      const estimate = lower === 0 ? upper * fraction : lower * (upper / lower) ** fraction;
      // Keep the estimate inside [lower, upper) so it names the right bucket.
      return Math.min(estimate, upper * (1 - Number.EPSILON));
    }
    below += count;
  }
  return bucketRange(counts.length - 1)[0];
}

/** p50 / p95 / p99 of a histogram (null when empty). */
export function percentiles(
  counts: readonly number[],
  maxMs?: number | null,
): { p50: number | null; p95: number | null; p99: number | null } {
  return {
    p50: quantileFromHistogram(counts, 0.5, maxMs),
    p95: quantileFromHistogram(counts, 0.95, maxMs),
    p99: quantileFromHistogram(counts, 0.99, maxMs),
  };
}

/** The bounds as a Postgres float8[] literal (shortest round-trip decimals, so both sides agree bit for bit). */
export function boundsSqlLiteral(): string {
  return `'{${HISTOGRAM_BOUNDS_MS.map((bound) => String(bound)).join(",")}}'::float8[]`;
}
