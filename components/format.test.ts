import { describe, expect, it } from "vitest";
import { formatRelative } from "@/components/format";

describe("formatRelative", () => {
  const now = Date.parse("2026-01-10T12:00:00Z");
  it("says never, just now, and rounds to the largest unit", () => {
    expect(formatRelative(null, now)).toBe("never");
    expect(formatRelative(new Date(now - 5_000), now)).toBe("just now");
    expect(formatRelative(new Date(now - 3 * 60_000), now)).toBe("3 minutes ago");
    expect(formatRelative(new Date(now + 2 * 86_400_000), now)).toBe("in 2 days");
    expect(formatRelative(new Date(now - 86_400_000), now)).toBe("yesterday");
  });
});

describe("formatMoney", () => {
  it("shows dollars with the sign, cents from $1 up and three significant digits below, never an exponent", async () => {
    const { formatMoney } = await import("@/components/format");
    expect(formatMoney(0)).toBe("$0.00");
    expect(formatMoney(null)).toBe("—");
    expect(formatMoney(1.29e-6)).toBe("$0.00000129");
    expect(formatMoney(8.08e-3)).toBe("$0.00808");
    expect(formatMoney(0.0000315)).toBe("$0.0000315");
    expect(formatMoney(0.123456)).toBe("$0.123");
    expect(formatMoney(1234.567)).toBe("$1,234.57");
    expect(formatMoney(-0.5)).toBe("-$0.50");
  });
});
