import { describe, expect, it } from "vitest";
import type { KeyWindow } from "@/server/modules/api-keys/counters";
import { limitRefusal, secondsUntilAtMost } from "./key-limits";

const window = (over: Partial<KeyWindow> = {}): KeyWindow => ({
  currentRequests: 0,
  previousRequests: 0,
  currentTokens: 0,
  previousTokens: 0,
  elapsed: 30,
  spent: 0,
  periodLeft: 3600,
  periodEnd: new Date("2026-12-02T00:00:00Z"),
  ...over,
});
const limits = { requestsPerMinute: null, tokensPerMinute: null, budgetUsd: null, budgetPeriod: null };

describe("limitRefusal", () => {
  it("lets a request through while every estimate is within its limit", () => {
    expect(
      limitRefusal(
        { requestsPerMinute: 10, tokensPerMinute: 100, budgetUsd: 1, budgetPeriod: "day" },
        window({ currentRequests: 10, currentTokens: 99, spent: 0.99 }),
      ),
    ).toBeNull();
  });

  it("weighs the previous minute by the part the last 60 s still cover", () => {
    // 20 previous requests, half a minute ago: 10 + 1 current = 11 > 10.
    const refusal = limitRefusal(
      { ...limits, requestsPerMinute: 10 },
      window({ previousRequests: 20, currentRequests: 1, elapsed: 30 }),
    );
    expect(refusal?.code).toBe("RATE_LIMITED");
    // The estimate excluding this request falls to 9 when 20 * (1 - x/60) + 1 <= 9: x = 36 s, 6 s from now.
    expect(refusal?.retryAfterSeconds).toBe(6);
  });

  it("refuses tokens at the limit (not only over it)", () => {
    const refusal = limitRefusal({ ...limits, tokensPerMinute: 100 }, window({ currentTokens: 100, elapsed: 15 }));
    expect(refusal?.code).toBe("TOKEN_RATE_LIMITED");
    expect(refusal?.message).toMatch(/may use 100 tokens per minute and has used 100 in the last minute/);
    // Next minute: 100 * (1 - y/60) <= 99 -> y = 0.6 s, after the 45 s left in this one.
    expect(refusal?.retryAfterSeconds).toBe(46);
  });

  it("puts the budget first and says when it resets", () => {
    const refusal = limitRefusal(
      { requestsPerMinute: 1, tokensPerMinute: 1, budgetUsd: 2, budgetPeriod: "week" },
      window({ currentRequests: 5, currentTokens: 50, spent: 2.5, periodLeft: 7200.2 }),
    );
    expect(refusal?.code).toBe("BUDGET_EXCEEDED");
    expect(refusal?.message).toBe(
      "Budget exhausted: this API key has spent $2.50 of its $2.00 budget per week (UTC); it resets at 2026-12-02T00:00:00.000Z",
    );
    expect(refusal?.retryAfterSeconds).toBe(7201);
  });
});

describe("secondsUntilAtMost", () => {
  it("is at least one second", () => {
    expect(secondsUntilAtMost(0, 0, 59.9, 0)).toBe(1);
  });
  it("waits a whole next minute when the target is zero", () => {
    expect(secondsUntilAtMost(0, 5, 10, 0)).toBe(110);
  });
});
