import { describe, expect, it } from "vitest";
import { twoProportionZTest, welchTTest } from "./comparisons";

const aggregate = (xs: number[]) => ({
  n: xs.length,
  sum: xs.reduce((s, x) => s + x, 0),
  sumSquares: xs.reduce((s, x) => s + x * x, 0),
});

/** Student's sleep data (Cushny & Peebles 1905), R's `sleep` data set: extra hours of sleep. */
const SLEEP_GROUP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_GROUP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

/** Aggregates from a published summary (n, mean, standard deviation). */
const fromSummary = (n: number, mean: number, sd: number) => ({
  n,
  sum: n * mean,
  sumSquares: (n - 1) * sd * sd + n * mean * mean,
});

describe("welchTTest", () => {
  it("matches R's Welch test on Student's sleep data", () => {
    // R: t.test(extra ~ group, data = sleep) (Welch by default) reports, for group 1 − group 2:
    // t = −1.8608, df = 17.776, p-value = 0.07939, 95 % CI −3.3654832 to 0.2054832.
    // Here treatment = group 1, control = group 2, so the signs agree.
    const result = welchTTest(aggregate(SLEEP_GROUP_2), aggregate(SLEEP_GROUP_1));
    expect(result.status).toBe("ok");
    expect(result.test).toBe("welch_t");
    expect(result.difference).toBeCloseTo(-1.58, 12);
    expect(result.statistic).toBeCloseTo(-1.860813, 6);
    expect(result.df).toBeCloseTo(17.77647, 5);
    expect(result.pValue).toBeCloseTo(0.07939, 5);
    expect(result.ci!.lower).toBeCloseTo(-3.3654832, 7);
    expect(result.ci!.upper).toBeCloseTo(0.2054832, 7);
    expect(result.significant).toBe(false);
    expect(result.relativeLift).toBeCloseTo(-1.58 / 2.33, 12);
  });

  it("matches the NIST/SEMATECH e-Handbook two-sample example (AUTO83B, unequal variances)", () => {
    // e-Handbook §1.3.5.3: US cars n = 249, mean 20.14458, sd 6.41470; Japanese n = 79, mean 30.48101,
    // sd 6.10771. Unequal variances: T = −12.94627, ν = 136.8750; Dataplot reports p = 1.571e−25.
    const us = fromSummary(249, 20.14458, 6.4147);
    const japan = fromSummary(79, 30.48101, 6.10771);
    const result = welchTTest(japan, us);
    expect(result.statistic).toBeCloseTo(-12.94627, 4);
    expect(result.df).toBeCloseTo(136.875, 3);
    expect(Math.abs(result.pValue! / 1.571e-25 - 1)).toBeLessThan(1e-3);
  });

  it("needs two observations per arm and some variance", () => {
    expect(welchTTest(aggregate([1]), aggregate([1, 2, 3]))).toMatchObject({
      status: "insufficient_data",
      pValue: null,
      statistic: null,
      significant: null,
    });
    expect(welchTTest(aggregate([2, 2, 2]), aggregate([5, 5]))).toMatchObject({
      status: "insufficient_data",
      pValue: null,
    });
    // One constant arm is fine: ν falls back to the other arm's n − 1.
    const oneConstant = welchTTest(aggregate([2, 2, 2]), aggregate([1, 2, 3, 4]));
    expect(oneConstant.status).toBe("ok");
    expect(oneConstant.df).toBeCloseTo(3, 12);
    // Zero control mean: no relative lift rather than Infinity.
    expect(welchTTest(aggregate([-1, 1]), aggregate([1, 2])).relativeLift).toBeNull();
    expect(welchTTest({ n: 3, sum: 1, sumSquares: -1 }, aggregate([1, 2])).status).toBe("invalid_input");
  });
});

describe("twoProportionZTest", () => {
  it("matches Agresti's aspirin example (Physicians' Health Study)", () => {
    // A. Agresti, An Introduction to Categorical Data Analysis, Table 2.3: myocardial infarction in
    // 189 of 11,034 on placebo and 104 of 11,037 on aspirin; R prop.test(..., correct = FALSE) gives
    // X-squared = 25.014 (= z²), and Agresti's interval for the difference is (0.005, 0.011).
    const result = twoProportionZTest({ n: 11_037, conversions: 104 }, { n: 11_034, conversions: 189 });
    expect(result.statistic! ** 2).toBeCloseTo(25.014, 3);
    expect(result.difference).toBeCloseTo(189 / 11_034 - 104 / 11_037, 15);
    expect(result.ci!.lower).toBeCloseTo(0.005, 3);
    expect(result.ci!.upper).toBeCloseTo(0.011, 3);
    expect(result.significant).toBe(true);
  });

  it("matches R prop.test without continuity correction (pooled z, unpooled interval)", () => {
    // DTU "Introduction to Statistics" exercise (82/108 vs 104/143): X-squared = 0.32805, p = 0.5668,
    // 95 % CI −0.0767781 to 0.1407512.
    const passing = twoProportionZTest({ n: 143, conversions: 104 }, { n: 108, conversions: 82 });
    expect(passing.statistic! ** 2).toBeCloseTo(0.32805, 5);
    expect(passing.pValue).toBeCloseTo(0.5668, 4);
    expect(passing.ci!.lower).toBeCloseTo(-0.0767781, 7);
    expect(passing.ci!.upper).toBeCloseTo(0.1407512, 7);
    // 21/100 vs 38/100 at 99 %: z = −2.635897, p = 0.008392, CI −0.333214919 to −0.006785081.
    const ninetyNine = twoProportionZTest({ n: 100, conversions: 38 }, { n: 100, conversions: 21 }, 0.01);
    expect(ninetyNine.statistic).toBeCloseTo(-2.635897, 6);
    expect(ninetyNine.pValue).toBeCloseTo(0.008392, 6);
    expect(ninetyNine.ci!.lower).toBeCloseTo(-0.333214919, 9);
    expect(ninetyNine.ci!.upper).toBeCloseTo(-0.006785081, 9);
    expect(ninetyNine.significant).toBe(true);
  });

  it("handles a zero-conversion control, with a warning about the approximation", () => {
    // 5/9 vs 0/24: R gives X-squared = 15.714, p = 7.367e−05, CI 0.2309176 to 0.8801935.
    const result = twoProportionZTest({ n: 24, conversions: 0 }, { n: 9, conversions: 5 });
    expect(result.statistic! ** 2).toBeCloseTo(15.714, 3);
    expect(Math.abs(result.pValue! / 7.367e-5 - 1)).toBeLessThan(1e-3);
    expect(result.ci!.lower).toBeCloseTo(0.2309176, 7);
    expect(result.ci!.upper).toBeCloseTo(0.8801935, 7);
    expect(result.relativeLift).toBeNull();
    expect(result.warnings.join(" ")).toMatch(/normal approximation/);
  });

  it("gives insufficient data, never NaN, when there is nothing to compare", () => {
    for (const [control, treatment] of [
      [
        { n: 0, conversions: 0 },
        { n: 10, conversions: 3 },
      ],
      [
        { n: 10, conversions: 0 },
        { n: 10, conversions: 0 },
      ],
      [
        { n: 10, conversions: 10 },
        { n: 12, conversions: 12 },
      ],
    ]) {
      const result = twoProportionZTest(control, treatment);
      expect(result.status).toBe("insufficient_data");
      expect(result.pValue).toBeNull();
      expect(JSON.stringify(result)).not.toMatch(/NaN|Infinity/);
    }
    // All-or-nothing arms: a p-value, but no interval from a zero unpooled SE.
    const split = twoProportionZTest({ n: 10, conversions: 0 }, { n: 10, conversions: 10 });
    expect(split.pValue).toBeLessThan(0.001);
    expect(split.ci).toBeNull();
    expect(twoProportionZTest({ n: 3, conversions: 4 }, { n: 3, conversions: 1 }).status).toBe("invalid_input");
  });
});
