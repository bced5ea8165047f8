import { describe, expect, it } from "vitest";
import { decisionRisks } from "@/lib/experiments/decision";
import { analyzeExperiment } from "@/server/modules/experiments/stats";

/** Results as the page gets them, for one rate metric with these conversions of 1,000 units per arm. */
function results(conversions: { control: number; treatment: number }, units = { control: 1000, treatment: 1000 }) {
  const analysis = analyzeExperiment({
    metric: "rate",
    controlKey: "control",
    variants: [
      { key: "control", weight: 50, units: units.control, n: units.control, conversions: conversions.control },
      { key: "treatment", weight: 50, units: units.treatment, n: units.treatment, conversions: conversions.treatment },
    ],
    options: { correction: "holm" },
  });
  return {
    variants: [
      { key: "control", name: "control", isControl: true, weight: 50, units: units.control, exposures: units.control },
      { key: "treatment", name: "treatment", isControl: false, weight: 50, units: units.treatment, exposures: 0 },
    ],
    metrics: [
      {
        name: "thumbs",
        kind: "rate" as const,
        higherIsBetter: true,
        source: "outcomes" as const,
        feedbackName: null,
        onlineEvalRule: null,
        analysis,
      },
    ],
  };
}

const codes = (r: ReturnType<typeof decisionRisks>) => r.map((x) => x.code);

describe("the risks of declaring a winner", () => {
  it("has none for keeping the control or for no winner", () => {
    const flat = results({ control: 100, treatment: 101 });
    expect(decisionRisks({ results: flat, winnerKey: null, plannedUnitsPerArm: null, sequential: false })).toEqual([]);
    expect(decisionRisks({ results: flat, winnerKey: "control", plannedUnitsPerArm: null, sequential: false })).toEqual(
      [],
    );
  });

  it("names a not-significant winner with its adjusted p-value, and a missing or unreached plan", () => {
    const flat = results({ control: 100, treatment: 101 });
    const risks = decisionRisks({ results: flat, winnerKey: "treatment", plannedUnitsPerArm: 5000, sequential: false });
    expect(codes(risks)).toEqual(["not_significant", "plan_not_reached"]);
    expect(risks[0].message).toMatch(/not significant \(Holm-adjusted p = 0\.9\d{3}, α = 0\.05\)/);
    expect(risks[1].message).toContain("1,000 of 5,000 units");
    expect(
      codes(decisionRisks({ results: flat, winnerKey: "treatment", plannedUnitsPerArm: null, sequential: false })),
    ).toEqual(["not_significant", "no_plan"]);
  });

  it("accepts a significant, better winner at the planned size; flags a significantly worse one", () => {
    const strong = results({ control: 100, treatment: 200 });
    expect(
      decisionRisks({ results: strong, winnerKey: "treatment", plannedUnitsPerArm: 1000, sequential: false }),
    ).toEqual([]);
    const worse = results({ control: 200, treatment: 100 });
    expect(
      codes(decisionRisks({ results: worse, winnerKey: "treatment", plannedUnitsPerArm: 1000, sequential: false })),
    ).toEqual(["worse"]);
  });

  it("flags a sample-ratio mismatch even for a significant winner", () => {
    const skewed = results({ control: 100, treatment: 300 }, { control: 1000, treatment: 1400 });
    expect(
      codes(decisionRisks({ results: skewed, winnerKey: "treatment", plannedUnitsPerArm: 1000, sequential: false })),
    ).toEqual(["srm"]);
  });
});
