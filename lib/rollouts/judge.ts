// The rollout analysis's verdict on one window (pure, so the console can explain it and unit tests can pin it).
import type { ArmMetrics, CriterionResult, RolloutAnalysis } from "./schemas";

type Verdict = "waiting" | "pass" | "fail";

export interface Judgement {
  verdict: Verdict;
  criteria: CriterionResult[];
  /** Why it failed (the first failing criterion, with the sample sizes), or why it waits; null on a pass. */
  reason: string | null;
}

const round = (value: number) => Number(value.toPrecision(3));

/**
 * Judges the candidate against the criteria, only once both arms have `minSamples` requests in the window:
 * fewer and a handful of errors would decide (or hide) too much. Criteria without data (no feedback yet) are
 * reported as `no_data` and do not fail the window.
 */
export function judgeWindow(analysis: RolloutAnalysis, stable: ArmMetrics, candidate: ArmMetrics): Judgement {
  const samples = `candidate ${candidate.requests} requests, stable ${stable.requests}`;
  if (candidate.requests < analysis.minSamples || stable.requests < analysis.minSamples)
    return {
      verdict: "waiting",
      criteria: [],
      reason: `waiting for samples: ${analysis.minSamples} per arm (${samples})`,
    };
  const criteria: CriterionResult[] = [];
  const check = (name: string, label: string, actual: number | null, limit: number, failsAbove: boolean) => {
    if (actual === null) {
      criteria.push({ name, result: "no_data", actual: null, limit, message: `${label}: no data` });
      return;
    }
    const failed = failsAbove ? actual > limit : actual < limit;
    const sign = failsAbove ? (failed ? ">" : "≤") : failed ? "<" : "≥";
    criteria.push({
      name,
      result: failed ? "fail" : "pass",
      actual,
      limit,
      message: `${label} ${round(actual)} ${sign} ${limit}`,
    });
  };
  if (analysis.maxErrorRate !== undefined)
    check("maxErrorRate", "error rate", candidate.errorRate, analysis.maxErrorRate, true);
  if (analysis.maxErrorRateIncrease !== undefined)
    check(
      "maxErrorRateIncrease",
      "error rate increase",
      candidate.errorRate !== null && stable.errorRate !== null ? candidate.errorRate - stable.errorRate : null,
      analysis.maxErrorRateIncrease,
      true,
    );
  if (analysis.maxLatencyP95Ms !== undefined)
    check("maxLatencyP95Ms", "latency p95 (ms)", candidate.latencyP95Ms, analysis.maxLatencyP95Ms, true);
  if (analysis.maxLatencyP95Ratio !== undefined)
    check(
      "maxLatencyP95Ratio",
      "latency p95 ratio",
      candidate.latencyP95Ms !== null && stable.latencyP95Ms ? candidate.latencyP95Ms / stable.latencyP95Ms : null,
      analysis.maxLatencyP95Ratio,
      true,
    );
  if (analysis.maxCostPerRequestUsd !== undefined)
    check(
      "maxCostPerRequestUsd",
      "cost per request (USD)",
      candidate.costPerRequestUsd,
      analysis.maxCostPerRequestUsd,
      true,
    );
  if (analysis.feedback)
    check(
      "feedback",
      `feedback '${analysis.feedback.name}' mean`,
      candidate.feedbackMean,
      analysis.feedback.minMean,
      false,
    );
  if (analysis.onlineEval)
    check("onlineEval", "online evaluation mean", candidate.onlineEvalMean, analysis.onlineEval.minMeanScore, false);
  const failed = criteria.find((c) => c.result === "fail");
  return failed
    ? { verdict: "fail", criteria, reason: `${failed.message} (${samples})` }
    : { verdict: "pass", criteria, reason: null };
}
