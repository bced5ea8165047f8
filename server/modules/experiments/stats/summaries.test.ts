import { describe, expect, it } from "vitest";
import { meanSummary, momentsFromAggregates, rateSummary, wilsonInterval } from "./summaries";

const aggregate = (xs: number[]) => ({
  n: xs.length,
  sum: xs.reduce((s, x) => s + x, 0),
  sumSquares: xs.reduce((s, x) => s + x * x, 0),
});

/** Student's sleep data (Cushny & Peebles 1905), R's `sleep` data set: extra hours of sleep. */
const SLEEP_GROUP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_GROUP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe("rateSummary (Wilson score interval)", () => {
  it.each([
    // R. G. Newcombe, "Two-sided confidence intervals for the single proportion: comparison of seven
    // methods", Statistics in Medicine 17 (1998) 857–872, Table I, method 3 (score, no continuity correction).
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0.0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])("%i/%i → %f to %f (Newcombe 1998)", (conversions, n, lower, upper) => {
    const summary = rateSummary({ n, conversions });
    expect(summary.status).toBe("ok");
    expect(summary.estimate).toBeCloseTo(conversions / n, 15);
    expect(summary.ciMethod).toBe("wilson");
    expect(Math.abs(summary.ci!.lower - lower)).toBeLessThan(5e-5);
    expect(Math.abs(summary.ci!.upper - upper)).toBeLessThan(5e-5);
  });

  it("stays inside [0, 1] at the extremes and narrows with alpha", () => {
    expect(wilsonInterval(0, 10)).toEqual({ lower: 0, upper: expect.closeTo(3.841459 / 13.841459, 6) });
    expect(wilsonInterval(10, 10).upper).toBe(1);
    const wide = wilsonInterval(30, 100, 0.01);
    const narrow = wilsonInterval(30, 100, 0.1);
    expect(wide.lower).toBeLessThan(narrow.lower);
    expect(wide.upper).toBeGreaterThan(narrow.upper);
  });

  it("reports insufficient or invalid data instead of NaN", () => {
    expect(rateSummary({ n: 0, conversions: 0 })).toMatchObject({
      estimate: null,
      ci: null,
      status: "insufficient_data",
    });
    expect(rateSummary({ n: 5, conversions: 6 })).toMatchObject({ estimate: null, status: "invalid_input" });
    expect(rateSummary({ n: -1, conversions: 0 }).status).toBe("invalid_input");
    expect(rateSummary({ n: 2.5, conversions: 1 }).status).toBe("invalid_input");
  });
});

describe("meanSummary (t-interval from aggregates)", () => {
  it("matches R's t.test on the sleep data", () => {
    // R: t.test(sleep$extra[sleep$group == 1]) → mean 0.75, 95 % CI −0.5297804 to 2.0297804; sd 1.78901.
    const one = meanSummary(aggregate(SLEEP_GROUP_1));
    expect(one.status).toBe("ok");
    expect(one.estimate).toBeCloseTo(0.75, 12);
    expect(Math.sqrt(one.variance!)).toBeCloseTo(1.78901, 5);
    expect(one.ci!.lower).toBeCloseTo(-0.5297804, 7);
    expect(one.ci!.upper).toBeCloseTo(2.0297804, 7);
    // group 2: 95 % CI 0.8976775 to 3.7623225.
    const two = meanSummary(aggregate(SLEEP_GROUP_2));
    expect(two.ci!.lower).toBeCloseTo(0.8976775, 7);
    expect(two.ci!.upper).toBeCloseTo(3.7623225, 7);
  });

  it("guards n < 2, zero variance and identical data", () => {
    expect(meanSummary({ n: 0, sum: 0, sumSquares: 0 })).toMatchObject({
      estimate: null,
      variance: null,
      ci: null,
      status: "insufficient_data",
    });
    expect(meanSummary(aggregate([4.2]))).toMatchObject({ estimate: 4.2, variance: null, ci: null });
    // 0.1 three times: Σx² − (Σx)²/n is rounding noise, reported as exactly zero variance.
    const same = meanSummary(aggregate([0.1, 0.1, 0.1]));
    expect(same).toMatchObject({ variance: 0, ci: null, status: "insufficient_data" });
    expect(same.reason).toMatch(/identical/);
    expect(momentsFromAggregates(aggregate([1e9 + 1, 1e9 + 1, 1e9 + 1])).variance).toBe(0);
    // … while a genuinely small spread survives.
    expect(momentsFromAggregates(aggregate([1, 1.001, 0.999])).variance).toBeCloseTo(1e-6, 12);
  });

  it("rejects aggregates no data could produce", () => {
    expect(meanSummary({ n: 3, sum: 30, sumSquares: 10 }).status).toBe("invalid_input"); // Σx² < (Σx)²/n
    expect(meanSummary({ n: 3, sum: Number.NaN, sumSquares: 10 }).status).toBe("invalid_input");
  });
});
