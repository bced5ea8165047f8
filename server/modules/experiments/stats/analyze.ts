/**
 * One call for an experiment's results page: per-variant summaries, each
 * treatment against control (fixed-horizon test, optional Holm adjustment,
 * optional always-valid mSPRT), and the sample-ratio-mismatch check.
 */
import { twoProportionZTest, welchTTest, withAdjustedPValue } from "./comparisons";
import { holmAdjust } from "./multiple";
import {
  type AnalyzeInput,
  analyzeInputSchema,
  type Comparison,
  type ExperimentAnalysis,
  type SequentialResult,
  type VariantSummary,
} from "./schemas";
import { INITIAL_SEQUENTIAL_STATE, type SequentialStep, sequentialMeans, sequentialRates } from "./sequential";
import { sampleRatioMismatch } from "./srm";
import { meanSummary, rateSummary } from "./summaries";

/**
 * Analyze an experiment from per-variant aggregates. Throws a ZodError when
 * the input is malformed (wrong types, duplicate keys, unknown control);
 * data that is merely too thin gives `insufficient_data` results, never NaN.
 */
export function analyzeExperiment(raw: AnalyzeInput): ExperimentAnalysis {
  const input = analyzeInputSchema.parse(raw);
  const { alpha, correction, sequential, srmThreshold } = input.options;

  const summaries: { key: string; summary: VariantSummary }[] = [];
  const tests: {
    key: string;
    comparison: Comparison;
    retest: (alpha: number) => Comparison;
    step: SequentialStep | null;
  }[] = [];
  const sequentialOptions = { alpha, tau2: sequential?.tau2, horizon: sequential?.horizon };
  const previousState = (key: string) => sequential?.previous?.[key] ?? INITIAL_SEQUENTIAL_STATE;

  if (input.metric === "rate") {
    const control = input.variants.find((v) => v.key === input.controlKey)!;
    for (const variant of input.variants) {
      summaries.push({ key: variant.key, summary: rateSummary(variant, alpha) });
      if (variant.key === input.controlKey) continue;
      tests.push({
        key: variant.key,
        comparison: twoProportionZTest(control, variant, alpha),
        retest: (level) => twoProportionZTest(control, variant, level),
        step: sequential ? sequentialRates(previousState(variant.key), control, variant, sequentialOptions) : null,
      });
    }
  } else {
    const control = input.variants.find((v) => v.key === input.controlKey)!;
    for (const variant of input.variants) {
      summaries.push({ key: variant.key, summary: meanSummary(variant, alpha) });
      if (variant.key === input.controlKey) continue;
      tests.push({
        key: variant.key,
        comparison: welchTTest(control, variant, alpha),
        retest: (level) => welchTTest(control, variant, level),
        step: sequential ? sequentialMeans(previousState(variant.key), control, variant, sequentialOptions) : null,
      });
    }
  }

  const holm = correction === "holm";
  const fixedAdjusted = holm ? holmAdjust(tests.map((t) => t.comparison.pValue)) : null;
  const sequentialAdjusted = holm ? holmAdjust(tests.map((t) => (t.step ? t.step.state.pValue : null))) : null;

  const comparisons = tests.map(({ key, comparison, retest, step }, i) => {
    const adjusted = fixedAdjusted
      ? withAdjustedPValue(comparison, fixedAdjusted[i], alpha, retest, tests.length)
      : comparison;
    let sequentialResult: SequentialResult | null = null;
    if (step) {
      const adjustedPValue = sequentialAdjusted?.[i] ?? step.state.pValue;
      sequentialResult = {
        ...step.state,
        lambda: step.lambda,
        tau2: step.tau2,
        adjustedPValue,
        significant: adjustedPValue < alpha,
        status: step.status,
        reason: step.reason,
      };
    }
    return { key, comparison: adjusted, sequential: sequentialResult };
  });

  const weights = input.variants.map((v) => v.weight);
  const srm = weights.every((w): w is number => w !== undefined)
    ? sampleRatioMismatch(
        input.variants.map((v) => v.units ?? v.n),
        weights,
        srmThreshold,
      )
    : null;

  return {
    metric: input.metric,
    alpha,
    correction,
    controlKey: input.controlKey,
    variants: summaries,
    comparisons,
    srm,
  };
}
