// Gate thresholds in MLflow's spirit (browser-safe). CONTRACT STUB: the gates work replaces evaluateGate's body.
import { z } from "zod";
import type { GateVerdict, TargetSummary } from "./summary";

export const thresholdSchema = z
  .object({
    /** "overall", an evaluator's name, "latency_p95_ms", "cost_usd", "error_rate". */
    metric: z.string().min(1).max(200),
    /** The evaluator's mean score or its pass rate (ignored for latency, cost and error rate). */
    stat: z.enum(["mean", "pass_rate"]).default("mean"),
    /** Absolute bound on the candidate's value (a minimum when higher is better, else a maximum). */
    threshold: z.number().optional(),
    /** Against the baseline: at least this much better (may be negative: "at most 0.02 worse"). */
    minAbsoluteChange: z.number().optional(),
    /** Against the baseline, as a fraction of its value: 0.05 = 5 % better. */
    minRelativeChange: z.number().optional(),
    higherIsBetter: z.boolean().default(true),
  })
  .strict();

export type Threshold = z.output<typeof thresholdSchema>;

export function evaluateGate(
  _candidate: TargetSummary,
  _baseline: TargetSummary | null,
  _thresholds: Threshold[],
): GateVerdict {
  throw new Error("evaluateGate: not implemented yet");
}
