import { describe, expect, it } from "vitest";
import { runCost } from "@/server/modules/runs/cost";

describe("runCost", () => {
  it("prices upstream runs per million tokens and local runs per compute second", () => {
    const upstream = { priceInputPerMTok: 0.5, priceOutputPerMTok: 1.5, pricePerComputeSecond: null };
    expect(runCost(upstream, { tokensIn: 2_000, tokensOut: 1_000, durationMs: 900 })).toBeCloseTo(0.0025, 10);
    const local = { priceInputPerMTok: null, priceOutputPerMTok: null, pricePerComputeSecond: 0.0002 };
    expect(runCost(local, { tokensIn: 10, tokensOut: 50, durationMs: 2_500 })).toBeCloseTo(0.0005, 10);
    expect(
      runCost(
        { priceInputPerMTok: null, priceOutputPerMTok: null, pricePerComputeSecond: null },
        { tokensIn: 5, tokensOut: 5, durationMs: 5 },
      ),
    ).toBe(0);
  });

  const priced = {
    priceInputPerMTok: 2,
    priceOutputPerMTok: 8,
    priceCachedInputPerMTok: 0.5,
    priceCacheWritePerMTok: 2.5,
    pricePerComputeSecond: null,
  };

  it("prices cached input at the cached price, cache writes at the write price, the rest at the input price", () => {
    // 1,000,000 in: 600,000 cached, 100,000 written, 300,000 plain; 10,000 out.
    const usage = {
      tokensIn: 1_000_000,
      tokensOut: 10_000,
      durationMs: 1,
      cachedTokens: 600_000,
      cacheWriteTokens: 100_000,
    };
    // 0.3 * 2 + 0.6 * 0.5 + 0.1 * 2.5 + 0.01 * 8 = 0.6 + 0.3 + 0.25 + 0.08
    expect(runCost(priced, usage)).toBeCloseTo(1.23, 12);
    expect(runCost(priced, { tokensIn: 1_000_000, tokensOut: 0, durationMs: 1, cachedTokens: 1_000_000 })).toBeCloseTo(
      0.5,
      12,
    );
  });

  it("prices cache reads and writes at the input price when the model has no cache prices", () => {
    const plain = { priceInputPerMTok: 2, priceOutputPerMTok: 8, pricePerComputeSecond: null };
    const usage = { tokensIn: 1_000, tokensOut: 100, durationMs: 1, cachedTokens: 900, cacheWriteTokens: 50 };
    expect(runCost(plain, usage)).toBe(runCost(plain, { tokensIn: 1_000, tokensOut: 100, durationMs: 1 }));
    expect(runCost(plain, usage)).toBeCloseTo((1_000 * 2 + 100 * 8) / 1e6, 15);
    const onlyCached = { ...plain, priceCachedInputPerMTok: 1, priceCacheWritePerMTok: null };
    expect(runCost(onlyCached, usage)).toBeCloseTo((50 * 2 + 900 * 1 + 50 * 2 + 100 * 8) / 1e6, 15);
  });

  it("never charges less than the cached tokens when an upstream reports more cached than prompt tokens", () => {
    const usage = { tokensIn: 100, tokensOut: 0, durationMs: 1, cachedTokens: 150 };
    expect(runCost(priced, usage)).toBeCloseTo((150 * 0.5) / 1e6, 15);
  });

  it("ignores token counts for local models priced per compute second", () => {
    const local = { ...priced, pricePerComputeSecond: 0.001 };
    expect(runCost(local, { tokensIn: 10, tokensOut: 10, durationMs: 2_000, cachedTokens: 5 })).toBeCloseTo(0.002, 12);
  });
});
