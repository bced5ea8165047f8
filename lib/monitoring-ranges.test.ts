import { describe, expect, it } from "vitest";
import { chooseRange, isRangePreset } from "./monitoring-ranges";

const counts = (values: [number, number, number, number, number, number]) => ({
  "15m": values[0],
  "1h": values[1],
  "6h": values[2],
  "24h": values[3],
  "7d": values[4],
  "30d": values[5],
});

describe("chooseRange", () => {
  it("opens fresh traffic on the shortest window that holds it", () => {
    expect(chooseRange(counts([40, 40, 40, 40, 40, 40]))).toBe("15m");
    expect(chooseRange(counts([10, 95, 100, 100, 100, 100]))).toBe("1h");
  });

  it("needs nearly all of the last day's requests, not most of them", () => {
    expect(chooseRange(counts([0, 89, 100, 100, 100, 100]))).toBe("6h");
    expect(chooseRange(counts([1, 4, 24, 96, 700, 3000]))).toBe("24h");
  });

  it("looks further back only when the last day was quiet", () => {
    expect(chooseRange(counts([0, 0, 0, 0, 5, 5]))).toBe("7d");
    expect(chooseRange(counts([0, 0, 0, 0, 0, 5]))).toBe("30d");
    expect(chooseRange(counts([0, 0, 0, 0, 0, 0]))).toBe("24h");
  });
});

describe("isRangePreset", () => {
  it("accepts the presets only", () => {
    expect(isRangePreset("6h")).toBe(true);
    expect(isRangePreset("2h")).toBe(false);
    expect(isRangePreset("toString")).toBe(false);
    expect(isRangePreset(null)).toBe(false);
  });
});
