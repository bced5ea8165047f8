/**
 * What makes concluding for a winner a risky call, on the primary metric: the server refuses such a
 * conclusion without `acknowledgeNotSignificant`, and the conclude dialog shows the same list with a
 * checkbox, so both sides agree on one rule. Browser-safe.
 */
import type { ExperimentResults } from "@/server/modules/experiments/results";

export interface DecisionRisk {
  code: "no_data" | "not_significant" | "worse" | "srm" | "no_plan" | "plan_not_reached";
  message: string;
}

const pText = (p: number | null | undefined) =>
  p === null || p === undefined ? "no p-value" : p < 0.0001 ? "p < 0.0001" : `p = ${p.toFixed(4)}`;

/**
 * The risks of declaring `winnerKey` the winner. Keeping the control (or no winner) claims nothing, so it
 * has none. A fixed-horizon test is only valid at a size planned in advance: without a plan, or before it
 * is reached, its p-value is a peek.
 */
export function decisionRisks({
  results,
  winnerKey,
  plannedUnitsPerArm,
  sequential,
}: {
  results: Pick<ExperimentResults, "variants" | "metrics">;
  winnerKey: string | null;
  plannedUnitsPerArm: number | null;
  sequential: boolean;
}): DecisionRisk[] {
  const control = results.variants.find((v) => v.isControl);
  if (winnerKey === null || winnerKey === control?.key) return [];
  const risks: DecisionRisk[] = [];
  const metric = results.metrics[0];
  const entry = metric?.analysis.comparisons.find((c) => c.key === winnerKey);
  const c = entry?.comparison;
  if (!metric || !c || c.status !== "ok") {
    risks.push({
      code: "no_data",
      message: `${winnerKey} has no test result on ${metric?.name ?? "the primary metric"} yet${c?.reason ? ` (${c.reason})` : ""}.`,
    });
  } else {
    const significant = sequential ? entry.sequential?.significant : c.significant;
    const p = sequential ? entry.sequential?.adjustedPValue : c.adjustedPValue;
    const better = c.difference !== null && (metric.higherIsBetter ? c.difference > 0 : c.difference < 0);
    if (!significant)
      risks.push({
        code: "not_significant",
        message: `${winnerKey}'s difference from ${control?.key ?? "control"} on ${metric.name} is not significant (${sequential ? "always-valid " : ""}${metric.analysis.correction === "holm" ? "Holm-adjusted " : ""}${pText(p)}, α = ${metric.analysis.alpha}).`,
      });
    else if (!better)
      risks.push({
        code: "worse",
        message: `${winnerKey} is significantly worse than ${control?.key ?? "control"} on ${metric.name}.`,
      });
  }
  if (metric?.analysis.srm?.flagged)
    risks.push({
      code: "srm",
      message: `Sample-ratio mismatch (${pText(metric.analysis.srm.pValue)}): the split is not what was configured, so the comparison cannot be trusted.`,
    });
  if (!sequential) {
    const smallest = Math.min(...results.variants.map((v) => v.units));
    if (plannedUnitsPerArm === null)
      risks.push({
        code: "no_plan",
        message: "No planned sample size: a fixed-horizon p-value is only valid at a size chosen before the start.",
      });
    else if (smallest < plannedUnitsPerArm)
      risks.push({
        code: "plan_not_reached",
        message: `The planned size is not reached (${smallest.toLocaleString("en-US")} of ${plannedUnitsPerArm.toLocaleString("en-US")} units in the smallest arm): deciding now is peeking.`,
      });
  }
  return risks;
}
