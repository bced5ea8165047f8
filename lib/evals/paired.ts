/**
 * Paired tests for comparing two eval targets case by case (browser-safe: the compare page, the CLI and the
 * server share them). Every test takes pairs (A, B) of the same case and reads a difference as B − A, so a
 * positive difference means B (the candidate) did better.
 *
 * - McNemar (pass/fail): only the discordant pairs count. Exact two-sided binomial test when they are fewer
 *   than 25 (the χ² approximation is poor there), otherwise χ² with Yates' continuity correction, 1 df
 *   (as R's `mcnemar.test`; Agresti, *Categorical Data Analysis*, §10.1).
 * - Paired t (scores): t = mean(d) / (sd(d)/√n), n − 1 df, two-sided p and the 95 % interval of the mean
 *   difference (as R's `t.test(paired = TRUE)`).
 * - Wilcoxon signed-rank (scores): zero differences dropped, tied |d| get their average rank; exact null
 *   distribution when under 50 non-zero pairs and no ties, otherwise the normal approximation with the tie
 *   correction of the variance and a continuity correction (as R's `wilcox.test(paired = TRUE)`).
 *
 * The distributions are lib/stats (Numerical Recipes special functions, checked in numerics.test.ts).
 */
import { chiSquaredSurvival, normalCdf, studentTQuantile, studentTSurvival } from "@/lib/stats/distributions";

/** Two-sided level every comparison is judged at: "real at 95 %". */
const ALPHA = 0.05;
/** Fewer discordant pairs than this: McNemar's exact binomial test. */
const MCNEMAR_EXACT_BELOW = 25;
/** Fewer non-zero pairs than this (and no ties): Wilcoxon's exact distribution. */
const WILCOXON_EXACT_BELOW = 50;
/** From this many pairs the paired t-test's normal approximation is trusted for bounded scores. */
const T_TEST_MIN_PAIRS = 30;

export interface McNemarResult {
  test: "mcnemar";
  pairs: number;
  bothPassed: number;
  bothFailed: number;
  /** Passed in A, failed in B: regressions when B is the candidate. */
  onlyA: number;
  /** Failed in A, passed in B: improvements. */
  onlyB: number;
  method: "exact_binomial" | "chi_squared_corrected";
  /** χ² (with continuity correction); null for the exact test. */
  statistic: number | null;
  pValue: number;
  significant: boolean;
}

export interface PairedTResult {
  test: "paired_t";
  n: number;
  /** mean(B − A); null under 2 pairs (and then everything else is null too). */
  meanDifference: number | null;
  sdDifference: number | null;
  /** null also when every difference is the same (no spread: t is not defined). */
  t: number | null;
  df: number | null;
  pValue: number | null;
  /** 95 % interval of the mean difference. */
  ci: [number, number] | null;
  significant: boolean;
}

export interface WilcoxonResult {
  test: "wilcoxon";
  n: number;
  /** Pairs with a non-zero difference (the test's n). */
  nonZero: number;
  /** V = the sum of the ranks of the positive differences (R's statistic). */
  statistic: number;
  method: "exact" | "normal";
  /** Standardized statistic of the normal approximation; null for the exact test. */
  z: number | null;
  pValue: number;
  ties: boolean;
  significant: boolean;
}

export interface Pair<T> {
  a: T;
  b: T;
}

/** McNemar's test on paired pass/fail outcomes. */
export function mcnemar(pairs: Pair<boolean>[]): McNemarResult {
  let bothPassed = 0;
  let bothFailed = 0;
  let onlyA = 0;
  let onlyB = 0;
  for (const { a, b } of pairs) {
    if (a && b) bothPassed++;
    else if (a) onlyA++;
    else if (b) onlyB++;
    else bothFailed++;
  }
  return mcnemarFromCounts({ bothPassed, bothFailed, onlyA, onlyB });
}

/** McNemar's test from the 2×2 table's cells. */
export function mcnemarFromCounts(cells: {
  bothPassed: number;
  bothFailed: number;
  onlyA: number;
  onlyB: number;
}): McNemarResult {
  const { onlyA, onlyB } = cells;
  const discordant = onlyA + onlyB;
  const pairs = cells.bothPassed + cells.bothFailed + discordant;
  let pValue: number;
  let statistic: number | null = null;
  let method: McNemarResult["method"] = "exact_binomial";
  if (discordant < MCNEMAR_EXACT_BELOW) {
    pValue = discordant === 0 ? 1 : Math.min(1, 2 * binomialHalfCdf(Math.min(onlyA, onlyB), discordant));
  } else {
    method = "chi_squared_corrected";
    statistic = (Math.abs(onlyA - onlyB) - 1) ** 2 / discordant;
    pValue = chiSquaredSurvival(statistic, 1);
  }
  return { test: "mcnemar", pairs, ...cells, method, statistic, pValue, significant: pValue < ALPHA };
}

/** P(X ≤ k) for X ~ Binomial(n, ½), summed in log space (n is small here, but stays exact-ish for any n). */
function binomialHalfCdf(k: number, n: number): number {
  let logTerm = -n * Math.LN2; // log C(n, 0) / 2^n
  let sum = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((n - i + 1) / i);
    sum += Math.exp(logTerm);
  }
  return Math.min(1, sum);
}

/** The paired t-test on scores: differences B − A. */
export function pairedT(pairs: Pair<number>[]): PairedTResult {
  const n = pairs.length;
  const empty: PairedTResult = {
    test: "paired_t",
    n,
    meanDifference: null,
    sdDifference: null,
    t: null,
    df: null,
    pValue: null,
    ci: null,
    significant: false,
  };
  if (n < 2) return empty;
  const d = pairs.map((p) => p.b - p.a);
  const mean = d.reduce((s, x) => s + x, 0) / n;
  const variance = d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  const sd = Math.sqrt(variance);
  const df = n - 1;
  // Differences equal to within rounding: no spread, so no t. Identical outputs are "no difference" (p = 1);
  // the same non-zero change in every case is as certain as data gets (p = 0).
  if (sd <= 1e-12 * Math.max(1, Math.abs(mean))) {
    const pValue = Math.abs(mean) <= 1e-12 ? 1 : 0;
    return {
      ...empty,
      meanDifference: mean,
      sdDifference: 0,
      df,
      pValue,
      ci: [mean, mean],
      significant: pValue < ALPHA,
    };
  }
  const se = sd / Math.sqrt(n);
  const t = mean / se;
  const pValue = Math.min(1, 2 * studentTSurvival(Math.abs(t), df));
  const half = studentTQuantile(1 - ALPHA / 2, df) * se;
  return {
    test: "paired_t",
    n,
    meanDifference: mean,
    sdDifference: sd,
    t,
    df,
    pValue,
    ci: [mean - half, mean + half],
    significant: pValue < ALPHA,
  };
}

/** Wilcoxon's signed-rank test on scores: differences B − A. */
export function wilcoxonSignedRank(pairs: Pair<number>[]): WilcoxonResult {
  const d = pairs.map((p) => p.b - p.a).filter((x) => x !== 0);
  const n = d.length;
  const ranks = averageRanks(d.map(Math.abs));
  const statistic = d.reduce((s, x, i) => s + (x > 0 ? ranks[i] : 0), 0);
  const tieGroups = tieSizes(d.map(Math.abs));
  const ties = tieGroups.some((t) => t > 1);
  const base = { test: "wilcoxon" as const, n: pairs.length, nonZero: n, statistic, ties };
  if (n === 0) return { ...base, method: "exact", z: null, pValue: 1, significant: false };
  const zeros = n < pairs.length;
  if (n < WILCOXON_EXACT_BELOW && !ties && !zeros) {
    const cdf = signedRankCdf(n);
    const lower = statistic > (n * (n + 1)) / 4 ? 1 - cdf(statistic - 1) : cdf(statistic);
    const pValue = Math.min(1, 2 * lower);
    return { ...base, method: "exact", z: null, pValue, significant: pValue < ALPHA };
  }
  const mean = (n * (n + 1)) / 4;
  const tieTerm = tieGroups.reduce((s, t) => s + (t ** 3 - t), 0) / 48;
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm);
  const centred = statistic - mean;
  const z = (centred - 0.5 * Math.sign(centred)) / sigma;
  const pValue = Math.min(1, 2 * Math.min(normalCdf(z), normalCdf(-z)));
  return { ...base, method: "normal", z, pValue, significant: pValue < ALPHA };
}

/** 1-based ranks, ties sharing their average rank. */
function averageRanks(values: number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = rank;
    i = j + 1;
  }
  return ranks;
}

function tieSizes(values: number[]): number[] {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.values()];
}

/** P(V ≤ v) under H0 for n untied non-zero pairs: subsets of {1..n} counted by their sum (exact integers < 2^53). */
function signedRankCdf(n: number): (v: number) => number {
  const max = (n * (n + 1)) / 2;
  const counts = new Array<number>(max + 1).fill(0);
  counts[0] = 1;
  for (let r = 1; r <= n; r++) {
    for (let s = max; s >= r; s--) counts[s] += counts[s - r];
  }
  const total = 2 ** n;
  return (v) => {
    if (v < 0) return 0;
    let sum = 0;
    for (let s = 0; s <= Math.min(v, max); s++) sum += counts[s];
    return sum / total;
  };
}

export interface ScoreTestChoice {
  /** The test whose verdict the page states. */
  test: "paired_t" | "wilcoxon";
  /** Why, in words. */
  reason: string;
}

/**
 * Which score test to state: the paired t-test from 30 pairs on (its mean difference and interval are what
 * people read), Wilcoxon below that, where bounded 0..1 scores are too far from normal to trust t.
 * Both are always computed and shown; this only picks the headline.
 */
export function chooseScoreTest(pairs: number): ScoreTestChoice {
  return pairs >= T_TEST_MIN_PAIRS
    ? { test: "paired_t", reason: `${pairs} pairs: the mean difference is close enough to normal for a t-test` }
    : {
        test: "wilcoxon",
        reason: `only ${pairs} pairs: Wilcoxon's signed-rank test does not assume normal differences`,
      };
}

/** "p = 0.0123", "p < 0.0001". */
export function formatP(p: number | null): string {
  if (p === null) return "p —";
  if (p < 0.0001) return "p < 0.0001";
  return `p = ${p < 0.001 ? p.toPrecision(2) : p.toFixed(p < 0.01 ? 4 : 3)}`;
}

/** The verdict in words: "The difference is real at 95 % (p = 0.003)." or "Not significant at 95 % (p = 0.41)." */
export function verdictText(p: number | null): string {
  if (p === null) return "Too few pairs to test.";
  return p < ALPHA ? `The difference is real at 95% (${formatP(p)}).` : `Not significant at 95% (${formatP(p)}).`;
}
