/**
 * Sample-ratio mismatch (SRM): if the units that reached each variant are
 * not split as configured, assignment or logging is broken (a redirect that
 * loses users, a bot filter hitting one arm, a crash in one variant) and
 * every comparison is suspect (R. Kohavi, D. Tang, Y. Xu, "Trustworthy
 * Online Controlled Experiments", 2020, ch. 21; Fabijan et al., "Diagnosing
 * Sample Ratio Mismatch in Online Controlled Experiments", KDD 2019).
 *
 * Pearson's chi-squared goodness of fit of the observed units against the
 * configured weights, k − 1 degrees of freedom, flagged when p < 0.001 (the
 * strict threshold keeps false alarms rare on dashboards that are checked
 * continuously).
 */
import { chiSquaredSurvival } from "@/lib/stats/distributions";
import type { SrmResult } from "./schemas";

const SRM_THRESHOLD = 0.001;
/** Below this expected count per variant the chi-squared approximation is not trusted. */
const MIN_EXPECTED = 5;

/** `observed[i]` units in variant i, configured with `weights[i]` (any positive scale, e.g. percent). */
export function sampleRatioMismatch(
  observed: readonly number[],
  weights: readonly number[],
  threshold = SRM_THRESHOLD,
): SrmResult {
  const base = { observed: [...observed], threshold };
  const none = (status: SrmResult["status"], reason: string, expected: number[] = []): SrmResult => ({
    ...base,
    expected,
    chiSquared: null,
    df: null,
    pValue: null,
    flagged: false,
    status,
    reason,
  });
  if (observed.length !== weights.length || observed.length < 2) {
    return none("invalid_input", "need one weight per variant and at least 2 variants");
  }
  if (observed.some((o) => !Number.isSafeInteger(o) || o < 0)) {
    return none("invalid_input", "unit counts must be non-negative integers");
  }
  const weightTotal = weights.reduce((sum, w) => sum + w, 0);
  if (weights.some((w) => !Number.isFinite(w) || w < 0) || !(weightTotal > 0)) {
    return none("invalid_input", "weights must be non-negative with a positive total");
  }
  const total = observed.reduce((sum, o) => sum + o, 0);
  const expected = weights.map((w) => (total * w) / weightTotal);
  if (total === 0) return none("insufficient_data", "no units yet", expected);

  // Units in a variant configured to get none: a mismatch no sample size excuses.
  if (observed.some((o, i) => weights[i] === 0 && o > 0)) {
    return {
      ...base,
      expected,
      chiSquared: null,
      df: null,
      pValue: 0,
      flagged: true,
      status: "ok",
      reason: "units reached a variant whose weight is 0",
    };
  }
  const active = expected.map((e, i) => ({ e, o: observed[i] })).filter(({ e }) => e > 0);
  if (active.length < 2) return none("insufficient_data", "fewer than 2 variants receive traffic", expected);
  if (active.some(({ e }) => e < MIN_EXPECTED)) {
    return none("insufficient_data", `fewer than ${MIN_EXPECTED} expected units in a variant`, expected);
  }
  const chiSquared = active.reduce((sum, { e, o }) => sum + ((o - e) * (o - e)) / e, 0);
  const df = active.length - 1;
  const pValue = chiSquaredSurvival(chiSquared, df);
  return { ...base, expected, chiSquared, df, pValue, flagged: pValue < threshold, status: "ok", reason: null };
}
