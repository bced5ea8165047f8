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
