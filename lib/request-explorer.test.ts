import { describe, expect, it } from "vitest";
import { readExplorerUrl, writeExplorerUrl } from "./request-explorer";

describe("explorer URL state", () => {
  it("round-trips every filter and the range through the query string", () => {
    const state = {
      range: "7d" as const,
      filters: {
        status: "error" as const,
        user: "ann",
        session: "chat 42",
        minLatencyMs: 100,
        maxCostUsd: 0.5,
        guardrail: "block" as const,
        q: 'order "42"',
      },
    };
    const params = writeExplorerUrl(new URLSearchParams("tab=overview"), state);
    expect(params.get("tab")).toBe("overview");
    expect(readExplorerUrl(params)).toEqual(state);
  });

  it("reads an exact status as a number and a custom range as dates", () => {
    const state = readExplorerUrl(
      new URLSearchParams("status=429&from=2026-12-01T00:00:00.000Z&to=2026-12-02T00:00:00.000Z"),
    );
    expect(state).toEqual({
      range: "custom",
      from: new Date("2026-12-01T00:00:00.000Z"),
      to: new Date("2026-12-02T00:00:00.000Z"),
      filters: { status: 429 },
    });
  });

  it("drops values that do not parse instead of failing the page", () => {
    const state = readExplorerUrl(new URLSearchParams("minLatencyMs=fast&guardrail=maybe&key=nope&range=1y&user=bob"));
    expect(state).toEqual({ range: "24h", filters: { user: "bob" } });
  });

  it("leaves the default range out of the URL", () => {
    expect(writeExplorerUrl(new URLSearchParams(), { range: "24h", filters: {} }).toString()).toBe("");
  });
});
