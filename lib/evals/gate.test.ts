// Gate verdicts worked by hand: each expected number below is computed in the comment beside it.
import { describe, expect, it } from "vitest";
import { describeThreshold, evaluateGate, type Threshold, thresholdSchema } from "./gate";
import type { MetricSummary, TargetSummary } from "./summary";

const metric = (mean: number, passRate: number, n = 100): MetricSummary => ({
  n,
  mean,
  ci: [mean - 0.05, mean + 0.05],
  passRate,
  passCi: [passRate - 0.05, passRate + 0.05],
});

const target = (over: Partial<TargetSummary> = {}): TargetSummary => ({
  targetId: "t",
  position: 0,
  label: "v",
  results: 100,
  errors: 2,
  overall: metric(0.8, 0.75),
  evaluators: { exact: metric(0.7, 0.7), judge: metric(0.9, 0.85) },
  latencyP50Ms: 300,
  latencyP95Ms: 900,
  costUsd: 0.5,
  evalCostUsd: 0.1,
  tokensIn: 1000,
  tokensOut: 500,
  ...over,
});

const t = (input: Partial<Threshold> & { metric: string }): Threshold => thresholdSchema.parse(input);

describe("evaluateGate: absolute thresholds", () => {
  it("passes a mean at the minimum and fails a pass rate below it", () => {
    const verdict = evaluateGate(target(), null, [
      t({ metric: "overall", threshold: 0.8 }), // 0.8 >= 0.8
      t({ metric: "exact", stat: "pass_rate", threshold: 0.8 }), // 0.7 < 0.8
    ]);
    expect(verdict.passed).toBe(false);
    expect(verdict.checks).toEqual([
      expect.objectContaining({ metric: "overall", stat: "mean", value: 0.8, passed: true }),
      expect.objectContaining({ metric: "exact", stat: "pass_rate", value: 0.7, passed: false }),
    ]);
    expect(verdict.checks[0].message).toBe("overall mean 0.800 meets the minimum 0.800");
    expect(verdict.checks[1].message).toBe("exact pass rate 70.0 % is below the minimum 80.0 %");
  });

  it("reads latency, cost per result and error rate as maxima when lower is better", () => {
    const verdict = evaluateGate(target(), null, [
      t({ metric: "latency_p95_ms", threshold: 1000, higherIsBetter: false }), // 900 <= 1000
      t({ metric: "cost_usd", threshold: 0.004, higherIsBetter: false }), // 0.5 / 100 = 0.005 > 0.004
      t({ metric: "error_rate", threshold: 0.05, higherIsBetter: false }), // 2 / 100 = 0.02 <= 0.05
    ]);
    expect(verdict.checks.map((c) => [c.stat, c.value, c.passed])).toEqual([
      ["value", 900, true],
      ["value", 0.005, false],
      ["value", 0.02, true],
    ]);
    expect(verdict.checks[0].message).toBe("latency p95 900 ms is within the maximum 1000 ms");
    expect(verdict.checks[1].message).toBe("cost per result $0.005 is above the maximum $0.004");
    expect(verdict.passed).toBe(false);
  });
});

describe("evaluateGate: against a baseline", () => {
  const baseline = target({ evaluators: { exact: metric(0.72, 0.8), judge: metric(0.9, 0.85) }, latencyP95Ms: 800 });

  it("applies a minimum absolute change in percentage points, negative meaning 'at most this much worse'", () => {
    const verdict = evaluateGate(target(), baseline, [
      // 0.70 - 0.80 = -0.10: 10 pts worse, only 5 allowed
      t({ metric: "exact", stat: "pass_rate", minAbsoluteChange: -0.05 }),
      // 0.70 - 0.80 = -0.10 >= -0.15
      t({ metric: "exact", stat: "pass_rate", minAbsoluteChange: -0.15 }),
    ]);
    expect(verdict.checks.map((c) => c.passed)).toEqual([false, true]);
    expect(verdict.checks[0]).toMatchObject({ value: 0.7, baseline: 0.8 });
    expect(verdict.checks[0].message).toBe(
      "exact pass rate 70.0 % vs baseline 80.0 %: 10.0 pts worse; at most 5.0 pts worse allowed",
    );
  });

  it("applies a relative change in the improving direction (lower latency is better)", () => {
    // Latency: baseline 800, candidate 900: (800 - 900) / 800 = -12.5 % (worse)
    const verdict = evaluateGate(target(), baseline, [
      t({ metric: "latency_p95_ms", minRelativeChange: -0.1, higherIsBetter: false }),
      t({ metric: "latency_p95_ms", minRelativeChange: -0.2, higherIsBetter: false }),
    ]);
    expect(verdict.checks.map((c) => c.passed)).toEqual([false, true]);
    expect(verdict.checks[0].message).toBe(
      "latency p95 900 ms vs baseline 800 ms: 12.5 % worse; at most 10.0 % worse allowed",
    );
  });

  it("treats 'no worse' (a zero change) as passing on an equal value despite float noise", () => {
    const a = target({ overall: metric(0.1 + 0.2, 0.5) });
    const b = target({ overall: metric(0.3, 0.5) });
    const verdict = evaluateGate(a, b, [t({ metric: "overall", minAbsoluteChange: 0 })]);
    expect(verdict.passed).toBe(true);
  });

  it("makes one check per bound, so a report says which one failed", () => {
    // judge mean 0.9 >= 0.85 passes; vs baseline 0.9: unchanged, 1 % better required: fails
    const verdict = evaluateGate(target(), baseline, [
      t({ metric: "judge", threshold: 0.85, minRelativeChange: 0.01 }),
    ]);
    expect(verdict.checks.map((c) => c.passed)).toEqual([true, false]);
    expect(verdict.checks[1].message).toContain("unchanged; at least 1.0 % better required");
  });

  it("a zero baseline: any improvement is enough for a relative change, a loss fails", () => {
    const zero = target({ errors: 0 });
    const verdict = evaluateGate(target(), zero, [
      // candidate 2 % errors vs 0 %: worse by an infinite fraction
      t({ metric: "error_rate", minRelativeChange: -0.5, higherIsBetter: false }),
    ]);
    expect(verdict.passed).toBe(false);
    const back = evaluateGate(zero, target(), [
      t({ metric: "error_rate", minRelativeChange: 0.5, higherIsBetter: false }),
    ]);
    // 0 errors vs 2 %: (0.02 - 0) / 0.02 = 100 % better >= 50 %
    expect(back.passed).toBe(true);
  });
});

describe("evaluateGate: what cannot be judged fails", () => {
  it("fails a metric the run does not have, naming the ones it has", () => {
    const verdict = evaluateGate(target(), null, [t({ metric: "rouge", threshold: 0.5 })]);
    expect(verdict.passed).toBe(false);
    expect(verdict.checks[0]).toMatchObject({ value: null, passed: false });
    expect(verdict.checks[0].message).toBe(
      "rouge mean: missing from the candidate's results (the run has no evaluator 'rouge' (it has exact, judge))",
    );
  });

  it("fails a comparison with no baseline, and a metric with no latencies", () => {
    const verdict = evaluateGate(target({ latencyP95Ms: null }), null, [
      t({ metric: "overall", minAbsoluteChange: 0 }),
      t({ metric: "latency_p95_ms", threshold: 100, higherIsBetter: false }),
    ]);
    expect(verdict.checks.map((c) => c.message)).toEqual([
      "overall mean: no baseline to compare with (no worse than the baseline required)",
      "latency p95: missing from the candidate's results (no latencies were recorded)",
    ]);
  });

  it("fails a threshold with no bound and passes an empty list", () => {
    expect(evaluateGate(target(), null, [t({ metric: "overall" })]).passed).toBe(false);
    expect(evaluateGate(target(), null, [])).toEqual({ passed: true, checks: [] });
  });
});

describe("describeThreshold", () => {
  it("says each bound in the metric's unit and direction", () => {
    expect(describeThreshold(t({ metric: "exact", stat: "pass_rate", threshold: 0.9 }))).toBe(
      "exact pass rate at least 90.0 %",
    );
    expect(describeThreshold(t({ metric: "overall", minAbsoluteChange: 0 }))).toBe(
      "overall mean no worse than the baseline required",
    );
    expect(describeThreshold(t({ metric: "latency_p95_ms", threshold: 800, higherIsBetter: false }))).toBe(
      "latency p95 at most 800 ms",
    );
    expect(describeThreshold(t({ metric: "judge", threshold: 0.7, minRelativeChange: 0.05 }))).toBe(
      "judge mean at least 0.700; at least 5.0 % better required",
    );
  });
});
