import { describe, expect, it } from "vitest";
import { activeSeconds, bucketLabel, changeOf, formatNumber, formatRate, rateUnit, spanName } from "./units";

describe("rates", () => {
  it("are per minute when low and per second when high", () => {
    expect(formatRate(0.004, rateUnit(0.05, "req"))).toBe("0.240 req/min");
    expect(formatRate(2, rateUnit(2, "req"))).toBe("120 req/min");
    expect(formatRate(42.5, rateUnit(42.5, "tokens"))).toBe("42.5 tokens/s");
  });

  it("never print an exponent", () => {
    expect(formatNumber(0.0000123)).toBe("0.0000123");
    expect(formatNumber(1234567)).toBe("1,234,567");
  });

  it("count only the active part of the window", () => {
    const t0 = Date.UTC(2026, 0, 1, 12);
    const points = [0, 1, 2, 3, 4].map((i) => ({ t: new Date(t0 + i * 60_000), requests: i === 1 || i === 3 ? 5 : 0 }));
    // Steps 1..3: three minutes.
    expect(activeSeconds(points, 60)).toBe(180);
    expect(
      activeSeconds(
        points.map((p) => ({ ...p, requests: 0 })),
        60,
      ),
    ).toBe(0);
  });
});

describe("changeOf", () => {
  it("says which way and how much", () => {
    expect(changeOf(112, 100)).toEqual({ text: "▲ 12%", direction: "up" });
    expect(changeOf(96.6, 100)).toEqual({ text: "▼ 3.4%", direction: "down" });
    expect(changeOf(100, 100)).toEqual({ text: "= 0%", direction: "flat" });
  });

  it("has no percentage without a previous value", () => {
    expect(changeOf(5, 0)).toEqual({ text: "new", direction: "new" });
    expect(changeOf(0, 0)).toEqual({ text: "= 0%", direction: "flat" });
    expect(changeOf(null, 3)).toBeNull();
  });
});

describe("labels", () => {
  it("name a bucket by its start and end, to the second", () => {
    const t = new Date(2026, 11, 6, 14, 5).getTime();
    expect(bucketLabel(t, 60)).toBe("6 Dec 14:05:00 – 14:06:00");
  });

  it("name a span in words", () => {
    expect(spanName(900)).toBe("15 minutes");
    expect(spanName(3600)).toBe("1 hour");
    expect(spanName(7 * 86_400)).toBe("7 days");
  });
});
