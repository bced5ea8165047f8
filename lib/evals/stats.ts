// The statistics an eval run's summary reports (browser-safe: the console recomputes nothing, but the CLI and
// the compare page use the same definitions). Every interval is 95 %: an eval summary is read by people and
// gates, and one fixed level keeps runs comparable.

/** z_{0.975}: the two-sided 95 % normal quantile. */
const Z95 = 1.959963984540054;

/** t_{0.975, df} for df = 1..30 (standard tables, 6 significant digits). */
const T95 = [
  12.7062, 4.30265, 3.18245, 2.77645, 2.57058, 2.44691, 2.36462, 2.306, 2.26216, 2.22814, 2.20099, 2.17881, 2.16037,
  2.14479, 2.13145, 2.11991, 2.10982, 2.10092, 2.09302, 2.08596, 2.07961, 2.07387, 2.06866, 2.0639, 2.05954, 2.05553,
  2.05183, 2.04841, 2.04523, 2.04227,
];

/**
 * t_{0.975, df}. Past the table, the Cornish–Fisher expansion (Abramowitz & Stegun 26.7.5, four terms) is within
 * 1e-6 of the exact quantile for df > 30.
 */
export function t95(df: number): number {
  if (!(df >= 1)) return Number.NaN;
  if (df <= 30) return T95[Math.floor(df) - 1];
  const z = Z95;
  const z2 = z * z;
  const g1 = ((z2 + 1) * z) / 4;
  const g2 = (((5 * z2 + 16) * z2 + 3) * z) / 96;
  const g3 = ((((3 * z2 + 19) * z2 + 17) * z2 - 15) * z) / 384;
  const g4 = (((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z) / 92160;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4;
}

export interface MeanWithCi {
  n: number;
  mean: number;
  /** mean ± t_{0.975, n−1} · s/√n; the mean itself (zero width) below two values. */
  ci: [number, number];
}

/** The sample mean with its t-based 95 % interval. No values: mean 0, interval [0, 0] (n says there were none). */
export function meanCi(values: readonly number[]): MeanWithCi {
  const n = values.length;
  if (n === 0) return { n, mean: 0, ci: [0, 0] };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n < 2) return { n, mean, ci: [mean, mean] };
  // Two passes: the textbook one-pass formula cancels badly when the spread is tiny next to the mean.
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  const half = (t95(n - 1) * Math.sqrt(squares / (n - 1))) / Math.sqrt(n);
  return { n, mean, ci: [mean - half, mean + half] };
}

/**
 * Wilson score interval (95 %) of a pass rate: it stays inside [0, 1] and keeps near-nominal coverage at small n
 * and at rates near 0 or 1, where the normal (Wald) interval collapses. n = 0: [0, 1] (nothing is known).
 */
export function wilson(passed: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const p = passed / n;
  const z2n = (Z95 * Z95) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (Z95 / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  return [passed === 0 ? 0 : Math.max(0, centre - half), passed === n ? 1 : Math.min(1, centre + half)];
}

/**
 * The q-quantile (0..1) by linear interpolation between closest ranks (Hyndman & Fan type 7, what numpy and
 * spreadsheets compute). Null for no values. `sorted` must be ascending.
 */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const at = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}
