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
});
