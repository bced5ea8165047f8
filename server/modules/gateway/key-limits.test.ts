import { describe, expect, it } from "vitest";
import type { ReserveResult } from "@/server/modules/api-keys/counters";
import { limitRefusal } from "./key-limits";

const result = (over: Partial<ReserveResult> = {}): ReserveResult => ({
  refused: null,
  minute: new Date("2026-12-01T10:00:00Z"),
  day: "2026-12-01",
  requests: 1,
  tokens: 0,
  spent: 0,
  windowLeft: 30,
  periodLeft: 3600,
  periodEnd: new Date("2026-12-02T00:00:00Z"),
  ...over,
});
const limits = { requestsPerMinute: null, tokensPerMinute: null, budgetUsd: null, budgetPeriod: null };
const asked = { tokens: 40, costUsd: 0.002 };

describe("limitRefusal", () => {
  it("lets an admitted reservation through", () => {
    expect(limitRefusal({ ...limits, requestsPerMinute: 10 }, result({ requests: 10 }), asked)).toBeNull();
  });

  it("says the real wait of a fixed UTC minute: until it ends, never more than 60 s", () => {
    const refusal = limitRefusal(
      { ...limits, requestsPerMinute: 3 },
      result({ refused: "requests", requests: 3, windowLeft: 12.3 }),
      asked,
    );
    expect(refusal?.code).toBe("RATE_LIMITED");
    expect(refusal?.retryAfterSeconds).toBe(13);
    expect(refusal?.message).toBe(
      "Rate limit reached: this API key may make 3 requests per minute (UTC minute) and has made 3; retry in 13 s",
    );
    const atStart = limitRefusal(
      { ...limits, requestsPerMinute: 1 },
      result({ refused: "requests", windowLeft: 60 }),
      asked,
    );
    expect(atStart?.retryAfterSeconds).toBe(60);
    const atEnd = limitRefusal(
      { ...limits, requestsPerMinute: 1 },
      result({ refused: "requests", windowLeft: 0.01 }),
      asked,
    );
    expect(atEnd?.retryAfterSeconds).toBe(1);
  });

  it("names what is used or reserved and what this request asks for when tokens refuse it", () => {
    const refusal = limitRefusal(
      { ...limits, tokensPerMinute: 100 },
      result({ refused: "tokens", tokens: 80, windowLeft: 45 }),
      asked,
    );
    expect(refusal?.code).toBe("TOKEN_RATE_LIMITED");
    expect(refusal?.message).toBe(
      "Token rate limit reached: this API key may use 100 tokens per minute (UTC minute), 80 are used or reserved by " +
        "requests in flight, and this request may use up to 40; retry in 45 s",
    );
    expect(refusal?.retryAfterSeconds).toBe(45);
  });

  it("says when the budget resets, and what a request in flight holds when it is not spent yet", () => {
    const spent = limitRefusal(
      { ...limits, budgetUsd: 2, budgetPeriod: "week" },
      result({ refused: "budget", spent: 2.5, periodLeft: 7200.2 }),
      asked,
    );
    expect(spent?.code).toBe("BUDGET_EXCEEDED");
    expect(spent?.message).toBe(
      "Budget exhausted: this API key has spent $2.50 of its $2.00 budget per week (UTC); it resets at 2026-12-02T00:00:00.000Z",
    );
    expect(spent?.retryAfterSeconds).toBe(7201);
    const reserved = limitRefusal(
      { ...limits, budgetUsd: 0.001, budgetPeriod: "day" },
      result({ refused: "budget", spent: 0.00099 }),
      asked,
    );
    expect(reserved?.message).toBe(
      "Budget exhausted: this API key has spent $0.00099 of its $0.001 budget per day (UTC) (requests in flight " +
        "included), and this request may cost up to $0.002; it resets at 2026-12-02T00:00:00.000Z",
    );
  });
});
