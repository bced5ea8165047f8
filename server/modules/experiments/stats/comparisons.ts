/**
 * Treatment against control, fixed horizon: the two-proportion z-test for
 * rates and Welch's unequal-variance t-test for means. Both report the
 * difference (treatment − control), the relative lift, the 1 − α interval of
 * the difference and a two-sided p-value. These p-values are valid for one
 * look at a sample size fixed in advance; for a dashboard that is watched
 * while data arrives use the sequential (mSPRT) results instead.
 */
import { normalQuantile, normalSurvival, studentTQuantile, studentTSurvival } from "@/lib/stats/distributions";
import type { Comparison, Interval, MeanAggregates, RateCounts } from "./schemas";
import { DEFAULT_ALPHA, invalidMeanAggregates, invalidRateCounts, momentsFromAggregates } from "./summaries";

function withoutResult(test: Comparison["test"], status: Comparison["status"], reason: string): Comparison {
  return {
    test,
    difference: null,
    relativeLift: null,
    ci: null,
    adjustedCi: null,
    adjustedCiLevel: null,
    statistic: null,
    df: null,
    pValue: null,
    adjustedPValue: null,
    significant: null,
    status,
    reason,
    warnings: [],
  };
}

/**
 * Difference relative to the control level (divided by |control| so the sign
 * always says "up" or "down"); null when the control level is 0.
 */
function relativeLift(difference: number, controlLevel: number): number | null {
  return controlLevel === 0 ? null : difference / Math.abs(controlLevel);
}

/**
 * The comparison with a multiplicity-adjusted p-value (e.g. Holm) deciding significance instead, and the
 * interval that matches it: `retest(level)` recomputes the comparison at another alpha. The adjusted p̃ is
 * below α exactly when p < α·p/p̃, so the interval at 1 − α·p/p̃ excludes 0 exactly when p̃ < α — the page
 * never shows an interval clear of 0 next to "not significant". For Holm, α·p/p̃ lies in [α/m, α].
 */
export function withAdjustedPValue(
  comparison: Comparison,
  adjustedPValue: number | null,
  alpha: number,
  retest: (alpha: number) => Comparison,
  tests: number,
): Comparison {
  const significant = adjustedPValue === null ? null : adjustedPValue < alpha;
  const p = comparison.pValue;
  if (adjustedPValue === null || p === null || adjustedPValue <= p)
    return { ...comparison, adjustedPValue, significant };
  const adjustedAlpha = adjustedPValue > 0 ? (alpha * p) / adjustedPValue : alpha / tests;
  return {
    ...comparison,
    adjustedPValue,
    significant,
    adjustedCi: retest(adjustedAlpha).ci,
    adjustedCiLevel: 1 - adjustedAlpha,
  };
}

/** Before any multiplicity adjustment the adjusted interval is the interval itself. */
function unadjustedInterval(ci: Interval | null, alpha: number) {
  return { ci, adjustedCi: ci, adjustedCiLevel: ci ? 1 - alpha : null };
}

function significance(pValue: number, alpha: number) {
  return { pValue, adjustedPValue: pValue, significant: pValue < alpha };
}

/**
 * Two-proportion z-test (e.g. A. Agresti, "An Introduction to Categorical
 * Data Analysis", 3rd ed., 2019, §2.2):
 *
 *   z  = (p̂_t − p̂_c) / √(p̄(1 − p̄)(1/n_c + 1/n_t)),  p̄ = (x_c + x_t)/(n_c + n_t)
 *        — the pooled SE, the SE under H0: p_c = p_t (z² is Pearson's χ²);
 *   CI = (p̂_t − p̂_c) ± z_{1−α/2} √(p̂_c(1 − p̂_c)/n_c + p̂_t(1 − p̂_t)/n_t)
 *        — the unpooled SE, since the interval must not assume the difference is 0.
 */
export function twoProportionZTest(control: RateCounts, treatment: RateCounts, alpha = DEFAULT_ALPHA): Comparison {
  const test = "two_proportion_z";
  const invalid = invalidRateCounts(control) ?? invalidRateCounts(treatment);
  if (invalid) return withoutResult(test, "invalid_input", invalid);
  if (control.n === 0 || treatment.n === 0) return withoutResult(test, "insufficient_data", "an arm has no units yet");

  const pc = control.conversions / control.n;
  const pt = treatment.conversions / treatment.n;
  const difference = pt - pc;
  const pooled = (control.conversions + treatment.conversions) / (control.n + treatment.n);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / treatment.n));
  if (!(pooledSe > 0)) {
    return withoutResult(test, "insufficient_data", "no variation yet: every unit converted, or none did");
  }
  const statistic = difference / pooledSe;
  const unpooledSe = Math.sqrt((pc * (1 - pc)) / control.n + (pt * (1 - pt)) / treatment.n);
  const z = normalQuantile(1 - alpha / 2);
  const warnings: string[] = [];
  const small = [control, treatment].some(({ n, conversions }) => Math.min(conversions, n - conversions) < 5);
  if (small) warnings.push("fewer than 5 conversions or non-conversions in an arm: the normal approximation is rough");
  if (!(unpooledSe > 0)) warnings.push("both observed rates are 0 or 1: no interval for the difference yet");
  return {
    test,
    difference,
    relativeLift: relativeLift(difference, pc),
    ...unadjustedInterval(
      unpooledSe > 0 ? { lower: difference - z * unpooledSe, upper: difference + z * unpooledSe } : null,
      alpha,
    ),
    statistic,
    df: null,
    ...significance(Math.min(1, 2 * normalSurvival(Math.abs(statistic))), alpha),
    status: "ok",
    reason: null,
    warnings,
  };
}

/**
 * Welch's t-test (B. L. Welch, "The generalization of 'Student's' problem
 * when several different population variances are involved", Biometrika 34,
 * 1947), which does not assume equal variances:
 *
 *   t  = (m_t − m_c) / SE,  SE² = s_c²/n_c + s_t²/n_t
 *   ν  = SE⁴ / ((s_c²/n_c)²/(n_c − 1) + (s_t²/n_t)²/(n_t − 1))   (Welch–Satterthwaite)
 *   CI = (m_t − m_c) ± t_{1−α/2, ν} · SE
 */
export function welchTTest(control: MeanAggregates, treatment: MeanAggregates, alpha = DEFAULT_ALPHA): Comparison {
  const test = "welch_t";
  const invalid = invalidMeanAggregates(control) ?? invalidMeanAggregates(treatment);
  if (invalid) return withoutResult(test, "invalid_input", invalid);
  if (control.n < 2 || treatment.n < 2) {
    return withoutResult(test, "insufficient_data", "each arm needs at least 2 observations");
  }
  const c = momentsFromAggregates(control);
  const t = momentsFromAggregates(treatment);
  // n ≥ 2 guarantees both moments.
  const mc = c.mean as number;
  const mt = t.mean as number;
  const vc = (c.variance as number) / control.n;
  const vt = (t.variance as number) / treatment.n;
  const se2 = vc + vt;
  if (!(se2 > 0)) {
    return withoutResult(test, "insufficient_data", "zero variance in both arms: every observation is identical");
  }
  const se = Math.sqrt(se2);
  const df = (se2 * se2) / ((vc * vc) / (control.n - 1) + (vt * vt) / (treatment.n - 1));
  const difference = mt - mc;
  const statistic = difference / se;
  const half = studentTQuantile(1 - alpha / 2, df) * se;
  return {
    test,
    difference,
    relativeLift: relativeLift(difference, mc),
    ...unadjustedInterval({ lower: difference - half, upper: difference + half }, alpha),
    statistic,
    df,
    ...significance(Math.min(1, 2 * studentTSurvival(Math.abs(statistic), df)), alpha),
    status: "ok",
    reason: null,
    warnings: [],
  };
}
