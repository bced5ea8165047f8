import { describe, expect, it } from "vitest";
import { normalQuantile, unitsPerArmForRate } from "./sample-size";

describe("planned sample size for a rate", () => {
  it("matches the textbook normal quantiles", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
  });

  it("gives the classic answers: 10 % → 12 % at α 0.05, power 0.8 needs 3,841 per arm", () => {
    // (1.959964·√(2·0.11·0.89) + 0.841621·√(0.1·0.9 + 0.12·0.88))² / 0.02² = 3840.1 → 3841
    expect(unitsPerArmForRate({ baselineRate: 0.1, minimumDetectableEffect: 0.02, alpha: 0.05, power: 0.8 })).toBe(
      3841,
    );
    // 50 % → 55 %: 1,565 per arm (G*Power and statsmodels agree within one unit).
    expect(unitsPerArmForRate({ baselineRate: 0.5, minimumDetectableEffect: 0.05, alpha: 0.05, power: 0.8 })).toBe(
      1565,
    );
  });

  it("needs more units for a smaller effect, a stricter alpha or more power", () => {
    const base = { baselineRate: 0.1, minimumDetectableEffect: 0.02, alpha: 0.05, power: 0.8 };
    const n = unitsPerArmForRate(base);
    expect(unitsPerArmForRate({ ...base, minimumDetectableEffect: 0.01 })).toBeGreaterThan(3.5 * n);
    expect(unitsPerArmForRate({ ...base, alpha: 0.01 })).toBeGreaterThan(n);
    expect(unitsPerArmForRate({ ...base, power: 0.9 })).toBeGreaterThan(n);
  });

  it("refuses inputs that have no answer, naming the field", () => {
    expect(() =>
      unitsPerArmForRate({ baselineRate: 0.95, minimumDetectableEffect: 0.1, alpha: 0.05, power: 0.8 }),
    ).toThrow(/below 100 %/);
    expect(() =>
      unitsPerArmForRate({ baselineRate: 0, minimumDetectableEffect: 0.1, alpha: 0.05, power: 0.8 }),
    ).toThrow(/above 0 %/);
  });
});
