import { describe, expect, it } from "vitest";
import { meanCi, percentile, t95, wilson } from "./stats";

describe("eval statistics", () => {
  it("t quantiles match the tables, and the expansion joins the table smoothly past 30", () => {
    expect(t95(1)).toBeCloseTo(12.7062, 4);
    expect(t95(9)).toBeCloseTo(2.26216, 5);
    // R: qt(0.975, c(31, 40, 120, 1000))
    expect(t95(31)).toBeCloseTo(2.039513, 5);
    expect(t95(40)).toBeCloseTo(2.021075, 5);
    expect(t95(120)).toBeCloseTo(1.97993, 5);
    expect(t95(1000)).toBeCloseTo(1.962339, 5);
    expect(t95(0)).toBeNaN();
  });

  it("mean with a t interval: hand-computed example", () => {
    // mean 0.5, s = sqrt(((0.5)^2*2 + 0 + 0) / 3) = sqrt(1/6), half = t(3) * s / 2
    const r = meanCi([0, 1, 0.5, 0.5]);
    expect(r.mean).toBe(0.5);
    const half = (3.18245 * Math.sqrt(1 / 6)) / 2;
    expect(r.ci[0]).toBeCloseTo(0.5 - half, 10);
    expect(r.ci[1]).toBeCloseTo(0.5 + half, 10);
    expect(meanCi([0.7])).toEqual({ n: 1, mean: 0.7, ci: [0.7, 0.7] });
    expect(meanCi([])).toEqual({ n: 0, mean: 0, ci: [0, 0] });
    const flat = meanCi([0.3, 0.3, 0.3]);
    expect(flat.ci).toEqual([0.3, 0.3]);
  });

  it("Wilson interval: known values, the edges exact", () => {
    // 8 of 10: (0.4902, 0.9433) (Newcombe 1998, method 3)
    const [lo, hi] = wilson(8, 10);
    expect(lo).toBeCloseTo(0.4902, 4);
    expect(hi).toBeCloseTo(0.9433, 4);
    expect(wilson(0, 10)[0]).toBe(0);
    expect(wilson(10, 10)[1]).toBe(1);
    expect(wilson(0, 0)).toEqual([0, 1]);
  });

  it("percentiles interpolate between ranks", () => {
    const sorted = [10, 20, 30, 40];
    expect(percentile(sorted, 0.5)).toBe(25);
    expect(percentile(sorted, 0.95)).toBeCloseTo(38.5, 10);
    expect(percentile(sorted, 0)).toBe(10);
    expect(percentile(sorted, 1)).toBe(40);
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([7], 0.95)).toBe(7);
  });
});
