import { describe, expect, it } from "vitest";
import { seededRandom } from "@/lib/random";
import {
  bucketIndex,
  bucketRange,
  emptyHistogram,
  HISTOGRAM_BOUNDS_MS,
  HISTOGRAM_SIZE,
  quantileFromHistogram,
} from "./histogram";

describe("histogram buckets", () => {
  it("are √2 apart from 1 ms to 2^18 ms", () => {
    expect(HISTOGRAM_BOUNDS_MS[0]).toBe(1);
    expect(HISTOGRAM_BOUNDS_MS.at(-1)).toBe(2 ** 18);
    expect(HISTOGRAM_SIZE).toBe(38);
    for (let i = 1; i < HISTOGRAM_BOUNDS_MS.length; i++) {
      expect(HISTOGRAM_BOUNDS_MS[i] / HISTOGRAM_BOUNDS_MS[i - 1]).toBeCloseTo(Math.SQRT2, 12);
    }
  });

  it("index like Postgres's width_bucket: lower bound inclusive", () => {
    expect(bucketIndex(0)).toBe(0);
    expect(bucketIndex(0.999)).toBe(0);
    expect(bucketIndex(1)).toBe(1);
    expect(bucketIndex(Math.SQRT2 - 1e-9)).toBe(1);
    expect(bucketIndex(HISTOGRAM_BOUNDS_MS[1])).toBe(2);
    expect(bucketIndex(2 ** 18 - 1)).toBe(36);
    expect(bucketIndex(2 ** 18)).toBe(37);
    expect(bucketIndex(1e12)).toBe(37);
    expect(bucketIndex(Number.NaN)).toBe(0);
    for (let i = 0; i < HISTOGRAM_SIZE; i++) {
      const [lower, upper] = bucketRange(i);
      expect(bucketIndex(lower)).toBe(i);
      if (Number.isFinite(upper)) expect(bucketIndex(upper)).toBe(i + 1);
    }
  });
});

describe("quantiles from a histogram", () => {
  it("are null when empty", () => {
    expect(quantileFromHistogram(emptyHistogram(), 0.5)).toBeNull();
  });

  it("land in the bucket of the exact value of that rank", () => {
    const random = seededRandom(7);
    for (let run = 0; run < 50; run++) {
      const n = 1 + Math.floor(random() * 2000);
      const values = Array.from({ length: n }, () => Math.exp(random() * 12 - 1)).sort((a, b) => a - b);
      const counts = emptyHistogram();
      for (const value of values) counts[bucketIndex(value)]++;
      for (const q of [0.01, 0.5, 0.9, 0.95, 0.99, 1]) {
        const exact = values[Math.max(0, Math.ceil(q * n) - 1)];
        const estimate = quantileFromHistogram(counts, q, values.at(-1))!;
        expect(bucketIndex(estimate), `q=${q} n=${n} exact=${exact} estimate=${estimate}`).toBe(bucketIndex(exact));
      }
    }
  });

  it("use the largest value to bound the open last bucket", () => {
    const counts = emptyHistogram();
    counts[HISTOGRAM_SIZE - 1] = 4;
    expect(quantileFromHistogram(counts, 1, 500_000)).toBe(500_000);
    expect(quantileFromHistogram(counts, 0.5, 500_000)).toBeCloseTo((2 ** 18 + 500_000) / 2, 6);
    expect(quantileFromHistogram(counts, 1)).toBe(2 ** 18);
  });
});
