/**
 * Per-variant summaries: a rate with its Wilson score interval, a mean with
 * its sample variance and t-interval, both from the aggregates the database
 * returns (counts, sums, sums of squares) — never from raw rows.
 */
import { normalQuantile, studentTQuantile } from "@/lib/stats/distributions";
import type { MeanAggregates, MeanSummary, RateCounts, RateSummary } from "./schemas";

/** Default significance level: 95 % intervals. */
export const DEFAULT_ALPHA = 0.05;

const isCount = (value: number) => Number.isSafeInteger(value) && value >= 0;

/** Why rate counts cannot be right, or null when they can. */
export function invalidRateCounts({ n, conversions }: RateCounts): string | null {
  if (!isCount(n) || !isCount(conversions)) return "counts must be non-negative integers";
  if (conversions > n) return "conversions exceed units";
  return null;
}

/** Why mean aggregates cannot be right, or null when they can. */
export function invalidMeanAggregates({ n, sum, sumSquares }: MeanAggregates): string | null {
  if (!isCount(n)) return "count must be a non-negative integer";
  if (!Number.isFinite(sum) || !Number.isFinite(sumSquares) || sumSquares < 0) return "sums must be finite";
  // Cauchy–Schwarz: sum² ≤ n · sumSquares, up to rounding.
  if (sum * sum > n * sumSquares * (1 + 1e-9) + Number.MIN_VALUE) return "sum of squares is smaller than sum²/n";
  return null;
}

/**
 * Wilson score interval (E. B. Wilson, "Probable inference, the law of
 * succession, and statistical inference", JASA 22, 1927), the interval
 * Newcombe (1998) recommends over the Wald interval: it stays inside [0, 1]
 * and keeps near-nominal coverage at small n and at rates near 0 or 1.
 *
 *   centre = (p̂ + z²/2n) / (1 + z²/n)
 *   half   = z / (1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²)
 */
export function wilsonInterval(conversions: number, n: number, alpha = DEFAULT_ALPHA) {
  const z = normalQuantile(1 - alpha / 2);
  const p = conversions / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  // The exact endpoints are 0 at p̂ = 0 and 1 at p̂ = 1; clamp the rounding.
  return {
    lower: conversions === 0 ? 0 : Math.max(0, centre - half),
    upper: conversions === n ? 1 : Math.min(1, centre + half),
  };
}

/** Rate (conversions / n) with its Wilson interval. */
export function rateSummary(counts: RateCounts, alpha = DEFAULT_ALPHA): RateSummary {
  const base = { metric: "rate" as const, n: counts.n, conversions: counts.conversions, ciMethod: "wilson" as const };
  const invalid = invalidRateCounts(counts);
  if (invalid) return { ...base, estimate: null, ci: null, status: "invalid_input", reason: invalid };
  if (counts.n === 0) return { ...base, estimate: null, ci: null, status: "insufficient_data", reason: "no units yet" };
  return {
    ...base,
    estimate: counts.conversions / counts.n,
    ci: wilsonInterval(counts.conversions, counts.n, alpha),
    status: "ok",
    reason: null,
  };
}

/**
 * Sample mean and variance from aggregates. The variance is
 * (Σx² − (Σx)²/n)/(n − 1); that difference cancels when the spread is tiny
 * next to the mean, so anything below the rounding bound of the sums
 * (≈ 4nε · Σx²/(n − 1)) is treated as exactly zero instead of reporting
 * rounding noise as a variance.
 */
export function momentsFromAggregates({ n, sum, sumSquares }: MeanAggregates): {
  mean: number | null;
  variance: number | null;
} {
  if (n === 0) return { mean: null, variance: null };
  const mean = sum / n;
  if (n < 2) return { mean, variance: null };
  const raw = (sumSquares - mean * sum) / (n - 1);
  const roundingBound = (4 * n * Number.EPSILON * sumSquares) / (n - 1);
  return { mean, variance: raw <= roundingBound ? 0 : raw };
}

/** Mean, sample variance and the t-interval mean ± t_{1−α/2, n−1} · s/√n. */
export function meanSummary(aggregates: MeanAggregates, alpha = DEFAULT_ALPHA): MeanSummary {
  const base = { metric: "mean" as const, n: aggregates.n, ciMethod: "t" as const };
  const invalid = invalidMeanAggregates(aggregates);
  if (invalid) return { ...base, estimate: null, variance: null, ci: null, status: "invalid_input", reason: invalid };
  const { mean, variance } = momentsFromAggregates(aggregates);
  if (mean === null) {
    return {
      ...base,
      estimate: null,
      variance: null,
      ci: null,
      status: "insufficient_data",
      reason: "no observations yet",
    };
  }
  if (variance === null) {
    return {
      ...base,
      estimate: mean,
      variance: null,
      ci: null,
      status: "insufficient_data",
      reason: "need at least 2 observations for a variance",
    };
  }
  if (variance === 0) {
    return {
      ...base,
      estimate: mean,
      variance: 0,
      ci: null,
      status: "insufficient_data",
      reason: "all observations are identical: zero variance, no interval",
    };
  }
  const half = studentTQuantile(1 - alpha / 2, aggregates.n - 1) * Math.sqrt(variance / aggregates.n);
  return {
    ...base,
    estimate: mean,
    variance,
    ci: { lower: mean - half, upper: mean + half },
    status: "ok",
    reason: null,
  };
}
