import { describe, expect, it } from "vitest";
import { judgeWindow } from "./judge";
import { type ArmMetrics, rolloutAnalysisSchema } from "./schemas";

const arm = (overrides: Partial<ArmMetrics> = {}): ArmMetrics => ({
  versionId: "v",
  requests: 100,
  errors: 1,
  errorRate: 0.01,
  latencyP95Ms: 200,
  costPerRequestUsd: 0.001,
  feedbackMean: null,
  feedbackCount: 0,
  onlineEvalMean: null,
  onlineEvalCount: 0,
  ...overrides,
});
const analysis = (raw: object) => rolloutAnalysisSchema.parse(raw);

describe("judgeWindow", () => {
  it("waits until both arms have minSamples", () => {
    const judged = judgeWindow(analysis({ minSamples: 50, maxErrorRate: 0 }), arm(), arm({ requests: 49 }));
    expect(judged).toMatchObject({
      verdict: "waiting",
      reason: "waiting for samples: 50 per arm (candidate 49 requests, stable 100)",
    });
  });

  it("fails on the first failing criterion, naming the figure, the limit and the samples", () => {
    const judged = judgeWindow(
      analysis({ minSamples: 10, maxErrorRate: 0.05, maxLatencyP95Ratio: 1.5 }),
      arm({ requests: 540 }),
      arm({ requests: 62, errorRate: 0.3145, latencyP95Ms: 1000 }),
    );
    expect(judged.verdict).toBe("fail");
    expect(judged.reason).toBe("error rate 0.315 > 0.05 (candidate 62 requests, stable 540)");
    expect(judged.criteria.map((c) => [c.name, c.result])).toEqual([
      ["maxErrorRate", "fail"],
      ["maxLatencyP95Ratio", "fail"],
    ]);
  });

  it("compares with the stable arm, and criteria without data do not fail", () => {
    const judged = judgeWindow(
      analysis({
        minSamples: 10,
        maxErrorRateIncrease: 0.02,
        maxCostPerRequestUsd: 0.01,
        feedback: { name: "thumbs", minMean: 0.5 },
      }),
      arm({ errorRate: 0.1 }),
      arm({ errorRate: 0.11 }),
    );
    expect(judged.verdict).toBe("pass");
    expect(judged.criteria.map((c) => c.result)).toEqual(["pass", "pass", "no_data"]);
    const low = judgeWindow(
      analysis({ minSamples: 1, feedback: { name: "thumbs", minMean: 0.5 } }),
      arm(),
      arm({ feedbackMean: 0.2, feedbackCount: 9 }),
    );
    expect(low.reason).toBe("feedback 'thumbs' mean 0.2 < 0.5 (candidate 100 requests, stable 100)");
  });
});
