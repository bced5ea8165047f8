import { describe, expect, it } from "vitest";
import { analyzeExperiment } from "./analyze";
import { experimentAnalysisSchema } from "./schemas";

describe("analyzeExperiment", () => {
  it("summarizes, compares against control, adjusts with Holm and checks the split (rates)", () => {
    const analysis = analyzeExperiment({
      metric: "rate",
      controlKey: "control",
      variants: [
        { key: "control", weight: 34, n: 11_037, conversions: 104 },
        { key: "prompt-v2", weight: 33, n: 11_034, conversions: 189 },
        { key: "prompt-v3", weight: 33, n: 10_700, conversions: 110 },
      ],
      options: { correction: "holm" },
    });
    expect(experimentAnalysisSchema.parse(analysis)).toEqual(analysis);
    expect(analysis.variants.map((v) => v.key)).toEqual(["control", "prompt-v2", "prompt-v3"]);
    expect(analysis.comparisons.map((c) => c.key)).toEqual(["prompt-v2", "prompt-v3"]);
    const [v2, v3] = analysis.comparisons.map((c) => c.comparison);
    // Same numbers as the two-arm aspirin example; Holm multiplies the smaller p-value by 2.
    expect(v2.statistic! ** 2).toBeCloseTo(25.014, 3);
    expect(v2.adjustedPValue).toBeCloseTo(2 * v2.pValue!, 15);
    expect(v3.adjustedPValue).toBeCloseTo(Math.max(v2.adjustedPValue!, v3.pValue!), 15);
    expect(v2.significant).toBe(true);
    expect(v3.significant).toBe(false);
    expect(analysis.srm).toMatchObject({ status: "ok", df: 2, flagged: false });
    expect(analysis.comparisons.every((c) => c.sequential === null)).toBe(true);
  });

  it("runs the sequential test per treatment and carries state between looks (means)", () => {
    const first = analyzeExperiment({
      metric: "mean",
      controlKey: "a",
      variants: [
        { key: "a", n: 400, sum: 400 * 1.0, sumSquares: 399 * 0.25 + 400 * 1.0 },
        { key: "b", n: 400, sum: 400 * 1.15, sumSquares: 399 * 0.25 + 400 * 1.15 ** 2 },
      ],
      options: { sequential: {} },
    });
    const step = first.comparisons[0].sequential!;
    expect(step.status).toBe("ok");
    expect(step.looks).toBe(1);
    expect(step.pValue).toBeLessThan(0.05);
    expect(first.comparisons[0].comparison.test).toBe("welch_t");
    expect(first.srm).toBeNull();

    const second = analyzeExperiment({
      metric: "mean",
      controlKey: "a",
      variants: [
        { key: "a", n: 800, sum: 800, sumSquares: 799 * 0.25 + 800 },
        { key: "b", n: 800, sum: 800, sumSquares: 799 * 0.25 + 800 },
      ],
      options: { sequential: { previous: { b: { looks: step.looks, pValue: step.pValue, ci: step.ci } } } },
    });
    const again = second.comparisons[0].sequential!;
    // The fixed-horizon test now sees nothing; the always-valid p-value keeps what was already shown.
    expect(second.comparisons[0].comparison.pValue).toBeCloseTo(1, 12);
    expect(again.looks).toBe(2);
    expect(again.pValue).toBe(step.pValue);
    expect(again.significant).toBe(true);
  });

  it("degrades to insufficient data for an empty experiment, with no NaN anywhere", () => {
    const analysis = analyzeExperiment({
      metric: "mean",
      controlKey: "a",
      variants: [
        { key: "a", weight: 50, n: 0, sum: 0, sumSquares: 0 },
        { key: "b", weight: 50, n: 1, sum: 2, sumSquares: 4 },
      ],
      options: { sequential: {}, correction: "holm" },
    });
    expect(JSON.stringify(analysis)).not.toMatch(/NaN|Infinity/);
    expect(experimentAnalysisSchema.parse(analysis)).toEqual(analysis);
    expect(analysis.variants[0].summary.status).toBe("insufficient_data");
    expect(analysis.comparisons[0].comparison).toMatchObject({ status: "insufficient_data", adjustedPValue: null });
    expect(analysis.comparisons[0].sequential).toMatchObject({ status: "insufficient_data", pValue: 1, looks: 0 });
    expect(analysis.srm?.status).toBe("insufficient_data");
  });

  it("rejects malformed input", () => {
    const variants = [
      { key: "a", n: 10, conversions: 1 },
      { key: "a", n: 10, conversions: 2 },
    ];
    expect(() => analyzeExperiment({ metric: "rate", controlKey: "a", variants })).toThrow(/unique/);
    expect(() =>
      analyzeExperiment({
        metric: "rate",
        controlKey: "z",
        variants: [variants[0], { ...variants[1], key: "b" }],
      }),
    ).toThrow(/not among the variants/);
  });
});

describe("the interval shown with the Holm-adjusted p-value", () => {
  const mean = (key: string, n: number, m: number, sd: number) => ({
    key,
    n,
    sum: n * m,
    sumSquares: (n - 1) * sd * sd + n * m * m,
  });

  it("is widened to the level Holm leaves the comparison, so it includes 0 whenever the adjusted p is not significant", () => {
    // b alone would be significant (p ≈ 0.03), c is far from it: Holm doubles b's p-value past 0.05.
    const analysis = analyzeExperiment({
      metric: "mean",
      controlKey: "a",
      variants: [mean("a", 200, 1, 1), mean("b", 200, 1.217, 1), mean("c", 200, 1.01, 1)],
      options: { correction: "holm" },
    });
    const b = analysis.comparisons[0].comparison;
    expect(b.pValue).toBeLessThan(0.05);
    expect(b.adjustedPValue).toBeGreaterThan(0.05);
    expect(b.significant).toBe(false);
    // The unadjusted interval clears 0 (the misleading pair the page used to show) ...
    expect(b.ci!.lower).toBeGreaterThan(0);
    // ... the adjusted one does not, and says its level.
    expect(b.adjustedCi!.lower).toBeLessThan(0);
    expect(b.adjustedCiLevel).toBeCloseTo(1 - (0.05 * b.pValue!) / b.adjustedPValue!, 12);
    expect(b.adjustedCiLevel).toBeGreaterThan(0.95);
    expect(b.adjustedCiLevel).toBeLessThanOrEqual(0.975);
  });

  it("excludes 0 exactly when the adjusted p-value is below alpha (Welch), across many splits", () => {
    let checked = 0;
    const outcomes = new Set<boolean | null>();
    for (let step = 0; step < 40; step++) {
      const lift = 0.05 + step * 0.01;
      const analysis = analyzeExperiment({
        metric: "mean",
        controlKey: "a",
        variants: [mean("a", 150, 1, 1), mean("b", 150, 1 + lift, 1), mean("c", 150, 1 + lift / 3, 1.2)],
        options: { correction: "holm" },
      });
      for (const { comparison: c } of analysis.comparisons) {
        const excludesZero = c.adjustedCi!.lower > 0 || c.adjustedCi!.upper < 0;
        expect(excludesZero).toBe(c.significant);
        outcomes.add(c.significant);
        checked++;
      }
    }
    expect(checked).toBe(80);
    // The sweep crosses the boundary: both answers occur.
    expect([...outcomes].sort()).toEqual([false, true]);
  });

  it("equals the plain interval at 1 − alpha without an adjustment", () => {
    const analysis = analyzeExperiment({
      metric: "rate",
      controlKey: "a",
      variants: [
        { key: "a", n: 1000, conversions: 100 },
        { key: "b", n: 1000, conversions: 130 },
      ],
    });
    const c = analysis.comparisons[0].comparison;
    expect(analysis.correction).toBe("none");
    expect(c.adjustedCi).toEqual(c.ci);
    expect(c.adjustedCiLevel).toBeCloseTo(0.95, 12);
  });
});
