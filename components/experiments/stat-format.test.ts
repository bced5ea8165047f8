import { describe, expect, it } from "vitest";
import { differenceText, estimateText, pNumber, relativeText } from "./stat-format";

describe("experiment numbers", () => {
  it("shows a difference of rates in percentage points, never %", () => {
    expect(differenceText(0.023, true)).toBe("+2.30 pp");
    expect(differenceText(-0.0041, true)).toBe("−0.41 pp");
    expect(differenceText(0, true)).toBe("±0.00 pp");
    expect(differenceText(0.5, false)).toBe("+0.500");
    expect(differenceText(null, true)).toBe("—");
  });

  it("labels the relative change as relative, and levels as percent", () => {
    expect(relativeText(0.2)).toBe("+20.0% rel.");
    expect(estimateText(0.1234, true)).toBe("12.34%");
    expect(estimateText(4.5, false)).toBe("4.500");
    expect(pNumber(0.05081)).toBe("0.0508");
    expect(pNumber(0.00001)).toBe("< 0.0001");
  });
});
