/**
 * Input and output shapes of the experiment statistics, as zod schemas so a
 * tRPC procedure can declare `.output(experimentAnalysisSchema)` and the
 * console can reuse the types. No server-only imports.
 *
 * Every numeric field that cannot be computed honestly is `null`, with
 * `status` / `reason` saying why; no field is ever NaN or Infinity.
 */
import { z } from "zod";

const count = z.number().int().nonnegative();
// zod 4 numbers reject NaN and ±Infinity already.
const finite = z.number();

/** Why a result is (partly) missing: not enough data, or inputs that cannot be right. */
const STATUSES = ["ok", "insufficient_data", "invalid_input"] as const;
const statusSchema = z.enum(STATUSES);
export type Status = z.infer<typeof statusSchema>;

const intervalSchema = z.object({ lower: finite, upper: finite });
export type Interval = z.infer<typeof intervalSchema>;

// ---------------------------------------------------------------- inputs

/** A rate metric for one variant: `conversions` of `n` units (e.g. thumbs-up of requests). */
const rateCountsSchema = z.object({ n: count, conversions: count });
export type RateCounts = z.infer<typeof rateCountsSchema>;

/** A mean metric for one variant from database aggregates: COUNT(x), SUM(x), SUM(x * x). */
const meanAggregatesSchema = z.object({ n: count, sum: finite, sumSquares: finite.nonnegative() });
export type MeanAggregates = z.infer<typeof meanAggregatesSchema>;

// ---------------------------------------------------------------- per-variant summaries

const summaryBase = {
  n: count,
  /** The 1 − alpha interval of the estimate; null when it cannot be formed. */
  ci: intervalSchema.nullable(),
  status: statusSchema,
  reason: z.string().nullable(),
};

const rateSummarySchema = z.object({
  metric: z.literal("rate"),
  ...summaryBase,
  conversions: count,
  /** conversions / n. */
  estimate: finite.nullable(),
  /** Wilson score interval (Wilson 1927), never outside [0, 1]. */
  ciMethod: z.literal("wilson"),
});
export type RateSummary = z.infer<typeof rateSummarySchema>;

const meanSummarySchema = z.object({
  metric: z.literal("mean"),
  ...summaryBase,
  /** sum / n. */
  estimate: finite.nullable(),
  /** Sample variance (n − 1 denominator). */
  variance: finite.nullable(),
  /** mean ± t_{1−α/2, n−1} · s/√n. */
  ciMethod: z.literal("t"),
});
export type MeanSummary = z.infer<typeof meanSummarySchema>;

const variantSummarySchema = z.discriminatedUnion("metric", [rateSummarySchema, meanSummarySchema]);
export type VariantSummary = z.infer<typeof variantSummarySchema>;

// ---------------------------------------------------------------- treatment vs control

const TESTS = ["two_proportion_z", "welch_t"] as const;

const comparisonSchema = z.object({
  test: z.enum(TESTS),
  /** treatment − control. */
  difference: finite.nullable(),
  /** difference / |control estimate|; null when the control estimate is 0. */
  relativeLift: finite.nullable(),
  /** 1 − alpha interval of the difference (unpooled SE for rates, Welch for means), not adjusted. */
  ci: intervalSchema.nullable(),
  /**
   * The interval that goes with `adjustedPValue`: at the confidence level the multiplicity adjustment leaves
   * this comparison (`adjustedCiLevel`), so it excludes 0 exactly when the adjusted p-value is below alpha
   * (for rates up to the pooled/unpooled SE difference of the z-test). Without an adjustment it equals `ci`.
   */
  adjustedCi: intervalSchema.nullable(),
  /** The confidence level of `adjustedCi`: 1 − alpha without an adjustment, 1 − alpha·p/p̃ with Holm. */
  adjustedCiLevel: finite.nullable(),
  /** z (rates, pooled SE) or t (means). */
  statistic: finite.nullable(),
  /** Welch–Satterthwaite degrees of freedom; null for the z-test. */
  df: finite.nullable(),
  /** Two-sided fixed-horizon p-value: valid only if you look once, at the planned sample size. */
  pValue: finite.nullable(),
  /** Holm–Bonferroni adjusted across all treatments when requested, else equal to pValue. */
  adjustedPValue: finite.nullable(),
  /** adjustedPValue < alpha; null when there is no p-value. */
  significant: z.boolean().nullable(),
  status: statusSchema,
  reason: z.string().nullable(),
  /** Caveats that do not stop the computation (e.g. normal approximation with few conversions). */
  warnings: z.array(z.string()),
});
export type Comparison = z.infer<typeof comparisonSchema>;

// ---------------------------------------------------------------- sequential (mSPRT)

/** What to persist between looks so the always-valid p-value and interval keep their guarantees. */
const sequentialStateSchema = z.object({
  /** Looks that produced a statistic. */
  looks: count,
  /** Running minimum of 1/Λ over the looks, capped at 1. */
  pValue: finite.min(0).max(1),
  /** Running intersection of the per-look confidence intervals; null before the first look. */
  ci: intervalSchema.nullable(),
});
export type SequentialState = z.infer<typeof sequentialStateSchema>;

const sequentialResultSchema = sequentialStateSchema.extend({
  /** Λ at this look (null when this look had no usable data). */
  lambda: finite.nullable(),
  /** Mixing variance τ² used at this look. */
  tau2: finite.nullable(),
  /** pValue < alpha (after Holm when requested). */
  significant: z.boolean(),
  /** Holm–Bonferroni adjusted always-valid p-value when requested, else equal to pValue. */
  adjustedPValue: finite.min(0).max(1),
  status: statusSchema,
  reason: z.string().nullable(),
});
export type SequentialResult = z.infer<typeof sequentialResultSchema>;

// ---------------------------------------------------------------- sample-ratio mismatch

const srmSchema = z.object({
  observed: z.array(count),
  expected: z.array(finite),
  chiSquared: finite.nullable(),
  df: count.nullable(),
  pValue: finite.nullable(),
  /** pValue < threshold: the split is not what was configured; do not trust the comparisons. */
  flagged: z.boolean(),
  threshold: finite,
  status: statusSchema,
  reason: z.string().nullable(),
});
export type SrmResult = z.infer<typeof srmSchema>;

// ---------------------------------------------------------------- whole experiment

const CORRECTIONS = ["none", "holm"] as const;

const variantInputBase = {
  key: z.string().min(1),
  /** Configured traffic weight in percent (for the SRM check); omit to skip the check. */
  weight: finite.nonnegative().optional(),
  /** Units assigned to the variant, for the SRM check; defaults to the metric's n. */
  units: count.optional(),
};

const sequentialOptionsSchema = z.object({
  /** Fixed mixing variance τ² in squared units of the difference; overrides `horizon`. */
  tau2: finite.positive().optional(),
  /** Total units (both arms) at which the confidence sequence should be tightest; default 5,000. */
  horizon: finite.positive().optional(),
  /** State from the previous look, keyed by treatment key. */
  previous: z.record(z.string(), sequentialStateSchema).optional(),
});

const optionsSchema = z
  .object({
    alpha: finite.gt(0).lt(1).default(0.05),
    correction: z.enum(CORRECTIONS).default("none"),
    sequential: sequentialOptionsSchema.optional(),
    srmThreshold: finite.gt(0).lt(1).default(0.001),
  })
  .default({ alpha: 0.05, correction: "none", srmThreshold: 0.001 });

export const analyzeInputSchema = z
  .discriminatedUnion("metric", [
    z.object({
      metric: z.literal("rate"),
      controlKey: z.string().min(1),
      variants: z.array(z.object({ ...variantInputBase, ...rateCountsSchema.shape })).min(2),
      options: optionsSchema,
    }),
    z.object({
      metric: z.literal("mean"),
      controlKey: z.string().min(1),
      variants: z.array(z.object({ ...variantInputBase, ...meanAggregatesSchema.shape })).min(2),
      options: optionsSchema,
    }),
  ])
  .superRefine((input, ctx) => {
    const keys = input.variants.map((v) => v.key);
    if (new Set(keys).size !== keys.length) ctx.addIssue({ code: "custom", message: "variant keys must be unique" });
    if (!keys.includes(input.controlKey)) {
      ctx.addIssue({ code: "custom", message: `control "${input.controlKey}" is not among the variants` });
    }
  });
export type AnalyzeInput = z.input<typeof analyzeInputSchema>;

export const experimentAnalysisSchema = z.object({
  metric: z.enum(["rate", "mean"]),
  alpha: finite,
  correction: z.enum(CORRECTIONS),
  controlKey: z.string(),
  variants: z.array(z.object({ key: z.string(), summary: variantSummarySchema })),
  comparisons: z.array(
    z.object({ key: z.string(), comparison: comparisonSchema, sequential: sequentialResultSchema.nullable() }),
  ),
  srm: srmSchema.nullable(),
});
export type ExperimentAnalysis = z.infer<typeof experimentAnalysisSchema>;
