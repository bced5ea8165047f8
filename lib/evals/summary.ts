// What an eval run's results add up to (browser-safe: the console draws these, the CLI prints them, gates read
// them). Written by the eval-run executor when a run ends (server/modules/evals/runs). The schemas check the
// answers of every procedure that returns them (runs, gates, run detail).
import { z } from "zod";

export interface MetricSummary {
  /** Scored cases x trials (calls that failed are counted in TargetSummary.errors, not here). */
  n: number;
  mean: number;
  /** 95 % confidence interval of the mean. */
  ci: [number, number];
  passRate: number;
  /** 95 % Wilson interval of the pass rate. */
  passCi: [number, number];
}

export interface TargetSummary {
  targetId: string;
  position: number;
  label: string;
  /** Cases x trials attempted. */
  results: number;
  errors: number;
  overall: MetricSummary;
  /** By evaluator name. */
  evaluators: Record<string, MetricSummary>;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  costUsd: number;
  evalCostUsd: number;
  tokensIn: number;
  tokensOut: number;
  /** Present when the run has thresholds: this target judged (against the baseline target, when one is set). */
  gate?: GateVerdict;
}

export interface GateCheck {
  /** e.g. "overall", "exact", "latency_p95_ms" */
  metric: string;
  stat: "mean" | "pass_rate" | "value";
  value: number | null;
  baseline: number | null;
  passed: boolean;
  /** "exact pass_rate 0.71 < 0.80" */
  message: string;
}

export interface GateVerdict {
  passed: boolean;
  checks: GateCheck[];
}

export interface RunSummary {
  targets: TargetSummary[];
  /** The position of the baseline target gates compare with, when the run has one. */
  baselinePosition: number | null;
  /** Every non-baseline target's gate passed (null: the run had no thresholds). */
  gatePassed: boolean | null;
}

const interval = z.tuple([z.number(), z.number()]);

const metricSummarySchema = z.object({
  n: z.number().int(),
  mean: z.number(),
  ci: interval,
  passRate: z.number(),
  passCi: interval,
}) satisfies z.ZodType<MetricSummary>;

export const gateVerdictSchema = z.object({
  passed: z.boolean(),
  checks: z.array(
    z.object({
      metric: z.string(),
      stat: z.enum(["mean", "pass_rate", "value"]),
      value: z.number().nullable(),
      baseline: z.number().nullable(),
      passed: z.boolean(),
      message: z.string(),
    }),
  ),
}) satisfies z.ZodType<GateVerdict>;

export const targetSummarySchema = z.object({
  targetId: z.string(),
  position: z.number().int(),
  label: z.string(),
  results: z.number().int(),
  errors: z.number().int(),
  overall: metricSummarySchema,
  evaluators: z.record(z.string(), metricSummarySchema),
  latencyP50Ms: z.number().nullable(),
  latencyP95Ms: z.number().nullable(),
  costUsd: z.number(),
  evalCostUsd: z.number(),
  tokensIn: z.number().int(),
  tokensOut: z.number().int(),
  gate: gateVerdictSchema.optional(),
}) satisfies z.ZodType<TargetSummary>;

export const runSummarySchema = z.object({
  targets: z.array(targetSummarySchema),
  baselinePosition: z.number().int().nullable(),
  gatePassed: z.boolean().nullable(),
}) satisfies z.ZodType<RunSummary>;
