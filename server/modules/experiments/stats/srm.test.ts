import { describe, expect, it } from "vitest";
import { holmAdjust } from "./multiple";
import { sampleRatioMismatch } from "./srm";

describe("sampleRatioMismatch", () => {
  it("matches the chi-squared goodness-of-fit textbook example (Mendel's peas, 9:3:3:1)", () => {
    // 315, 108, 101, 32 against 9:3:3:1: χ² = 0.470, df = 3, p = 0.9254 (R: chisq.test(x, p = c(9,3,3,1)/16)).
    const result = sampleRatioMismatch([315, 108, 101, 32], [9, 3, 3, 1]);
    expect(result.chiSquared).toBeCloseTo(0.47002, 5);
    expect(result.df).toBe(3);
    expect(result.pValue).toBeCloseTo(0.9254, 4);
    expect(result.flagged).toBe(false);
    expect(result.expected).toEqual([312.75, 104.25, 104.25, 34.75]);
  });

  it("flags the SRM example of Kohavi, Tang & Xu (2020)", () => {
    // "Trustworthy Online Controlled Experiments", ch. 21: 821,588 vs 815,482 users in a 50/50
    // experiment, p-value 1.8e−6.
    const result = sampleRatioMismatch([821_588, 815_482], [50, 50]);
    expect(result.pValue).toBeCloseTo(1.8e-6, 7);
    expect(result.flagged).toBe(true);
  });

  it("uses p < 0.001 as the threshold", () => {
    // χ²₁ = 10.828 is p = 0.001 (table value): 10,000 units split 5,164/4,836 give χ² = 10.76,
    // 5,165/4,835 give 10.89 — just either side.
    const below = sampleRatioMismatch([5_164, 4_836], [50, 50]);
    expect(below.chiSquared).toBeCloseTo(10.7584, 10);
    expect(below.pValue).toBeGreaterThan(0.001);
    expect(below.flagged).toBe(false);
    const above = sampleRatioMismatch([5_165, 4_835], [50, 50]);
    expect(above.pValue).toBeLessThan(0.001);
    expect(above.flagged).toBe(true);
  });

  it("handles zero weights, empty and tiny samples without NaN", () => {
    expect(sampleRatioMismatch([0, 0], [50, 50])).toMatchObject({ status: "insufficient_data", flagged: false });
    expect(sampleRatioMismatch([3, 1], [50, 50])).toMatchObject({ status: "insufficient_data", pValue: null });
    expect(sampleRatioMismatch([100, 3], [100, 0])).toMatchObject({ flagged: true, pValue: 0 });
    // A zero-weight variant with no units drops out of the test (df counts active variants only).
    expect(sampleRatioMismatch([500, 520, 0], [50, 50, 0])).toMatchObject({ df: 1, flagged: false });
    expect(sampleRatioMismatch([1, 2], [50])).toMatchObject({ status: "invalid_input" });
    expect(sampleRatioMismatch([1, -2], [50, 50])).toMatchObject({ status: "invalid_input" });
  });
});

describe("holmAdjust", () => {
  it("computes step-down adjusted p-values (Holm 1979), in input order", () => {
    // Sorted 0.005, 0.01, 0.03, 0.04 with m = 4: 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06,
    // max(0.06, 1·0.04) = 0.06 — as R's p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm").
    expect(holmAdjust([0.01, 0.04, 0.03, 0.005])).toEqual([0.03, 0.06, 0.06, 0.02]);
    expect(holmAdjust([0.5, 0.6])).toEqual([1, 1]);
    expect(holmAdjust([0.01, null, 0.02])).toEqual([0.02, null, 0.02]);
    expect(holmAdjust([])).toEqual([]);
  });
});
