import { describe, expect, it } from "vitest";
import {
  chiSquaredCdf,
  chiSquaredSurvival,
  normalCdf,
  normalQuantile,
  normalSurvival,
  studentTCdf,
  studentTQuantile,
  studentTSurvival,
} from "./distributions";
import { logBeta, logGamma, regularizedBeta, regularizedGammaP, regularizedGammaQ } from "./special";

/** |got − want| ≤ rel · |want|: relative agreement, the "significant digits" the brief asks for. */
function expectRelative(got: number, want: number, rel: number) {
  expect(Number.isFinite(got)).toBe(true);
  expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.abs(want));
}

describe("special functions", () => {
  it("log-gamma matches exact values", () => {
    expectRelative(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14); // Γ(½) = √π
    expectRelative(logGamma(5), Math.log(24), 1e-14); // Γ(5) = 4!
    expectRelative(logGamma(10), Math.log(362_880), 1e-14); // Γ(10) = 9!
    expectRelative(logGamma(21), Math.log(2_432_902_008_176_640_000), 1e-14); // Γ(21) = 20!
    // Γ(9.5) = 17!!/2⁹ · √π
    expectRelative(logGamma(9.5), Math.log((34_459_425 / 512) * Math.sqrt(Math.PI)), 1e-14);
  });

  it("log-beta of a large and a small argument agrees with the log-gamma form", () => {
    for (const a of [10, 37.5, 1_000]) {
      expectRelative(logBeta(a, 0.5), logGamma(a) + logGamma(0.5) - logGamma(a + 0.5), 1e-12);
    }
    // B(a, 1) = 1/a exactly.
    expectRelative(logBeta(1e6, 1), -Math.log(1e6), 1e-14);
  });

  it("incomplete gamma satisfies closed forms", () => {
    for (const x of [0.01, 0.5, 1, 3, 10, 40]) {
      expectRelative(regularizedGammaP(1, x), -Math.expm1(-x), 1e-13); // P(1, x) = 1 − e^{−x}
      expectRelative(regularizedGammaQ(1, x), Math.exp(-x), 1e-13);
      // P(2, x) = 1 − e^{−x}(1 + x)
      expectRelative(regularizedGammaQ(2, x), Math.exp(-x) * (1 + x), 1e-13);
    }
    expect(regularizedGammaP(3, 0)).toBe(0);
    expect(regularizedGammaQ(3, 0)).toBe(1);
  });

  it("incomplete beta satisfies closed forms and symmetry", () => {
    for (const x of [0.001, 0.2, 0.5, 0.9, 0.999]) {
      expectRelative(regularizedBeta(x, 1, 1), x, 1e-13); // uniform
      expectRelative(regularizedBeta(x, 3, 1), x ** 3, 1e-13); // I_x(a, 1) = x^a
      expectRelative(regularizedBeta(x, 1, 4), 1 - (1 - x) ** 4, 1e-13); // I_x(1, b) = 1 − (1 − x)^b
      expectRelative(regularizedBeta(x, 2.5, 7) + regularizedBeta(1 - x, 7, 2.5), 1, 1e-13);
    }
    expectRelative(regularizedBeta(0.5, 12.3, 12.3), 0.5, 1e-13);
  });
});

describe("normal distribution", () => {
  it("matches tabulated CDF values, including the far tail", () => {
    // Abramowitz & Stegun Table 26.1 / any normal table, to the digits shown.
    expectRelative(normalCdf(1.96), 0.9750021048517795, 1e-13);
    expectRelative(normalCdf(-1), 0.15865525393145707, 1e-13);
    expectRelative(normalCdf(-3), 0.0013498980316300946, 1e-12);
    expectRelative(normalCdf(-10), 7.619853024160527e-24, 1e-12);
    expectRelative(normalSurvival(5), 2.866515718791939e-7, 1e-12);
    expect(normalCdf(0)).toBe(0.5);
    expectRelative(normalCdf(0.3) + normalCdf(-0.3), 1, 1e-15);
  });

  it("quantile matches the table (z_.975 = 1.959964) to machine precision", () => {
    expectRelative(normalQuantile(0.975), 1.959963984540054, 1e-14);
    expectRelative(normalQuantile(0.995), 2.5758293035489004, 1e-14);
    expectRelative(normalQuantile(0.9995), 3.2905267314919255, 1e-13);
    expectRelative(normalQuantile(0.05), -1.6448536269514729, 1e-14);
    expectRelative(normalQuantile(1e-10), -6.361340902404056, 1e-13);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 15);
    for (const p of [1e-300, 1e-20, 0.001, 0.02425, 0.3, 0.7, 0.97575, 0.999999]) {
      expectRelative(normalCdf(normalQuantile(p)), p, 1e-12);
    }
  });
});

describe("Student t distribution", () => {
  it("quantiles match the t-table", () => {
    // Two-sided 95 % critical values (NIST/SEMATECH e-Handbook §1.3.6.7.2; R qt to 6 decimals).
    expectRelative(studentTQuantile(0.975, 1), 12.706204736, 1e-9);
    expectRelative(studentTQuantile(0.975, 2), 4.30265273, 1e-9);
    expectRelative(studentTQuantile(0.975, 10), 2.228138852, 1e-9);
    expectRelative(studentTQuantile(0.975, 30), 2.042272456, 1e-9);
    expectRelative(studentTQuantile(0.95, 5), 2.015048373, 1e-9);
    expectRelative(studentTQuantile(0.995, 20), 2.845339707, 1e-9);
    expectRelative(studentTQuantile(0.025, 10), -2.228138852, 1e-9);
    // ν → ∞ is the normal.
    expectRelative(studentTQuantile(0.975, Number.POSITIVE_INFINITY), 1.959963984540054, 1e-14);
  });

  it("CDF agrees with the closed forms for small ν (A&S 26.7.3)", () => {
    for (const t of [0.1, 1, 2.5, 7, 40]) {
      expectRelative(studentTSurvival(t, 1), 0.5 - Math.atan(t) / Math.PI, 1e-12); // Cauchy
      expectRelative(studentTSurvival(t, 2), 0.5 - t / (2 * Math.sqrt(2 + t * t)), 1e-10);
      const nu3 = 0.5 - (t / (Math.sqrt(3) * (1 + (t * t) / 3)) + Math.atan(t / Math.sqrt(3))) / Math.PI;
      expectRelative(studentTSurvival(t, 3), nu3, 1e-9);
    }
    expectRelative(studentTCdf(-2.228138851986273, 10), 0.025, 1e-12);
    expectRelative(studentTCdf(2.228138851986273, 10), 0.975, 1e-14);
  });

  it("stays accurate for very large ν (Hill's expansion above ν = 1000)", () => {
    // Both branches agree where they meet …
    for (const t of [0.5, 1.96, 4, 8]) {
      const viaBeta = studentTSurvival(t, 1000);
      const viaHill = studentTSurvival(t, 1000 * (1 + 1e-12));
      expectRelative(viaHill, viaBeta, 1e-12);
    }
    // … and the first-order expansion Φ̄(t) + φ(t)(t³ + t)/(4ν) is exact to O(ν⁻²).
    const nu = 1e9;
    const t = 1.96;
    const phi = Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI);
    expectRelative(studentTSurvival(t, nu), normalSurvival(t) + (phi * (t ** 3 + t)) / (4 * nu), 1e-13);
  });
});

describe("chi-squared distribution", () => {
  it("survival matches table critical values", () => {
    // df = 1: χ² = z²_.975 → p = 0.05; df = 2: χ² = 2 ln 1000 → p = 0.001 exactly (S = e^{−x/2}).
    expectRelative(chiSquaredSurvival(1.959963984540054 ** 2, 1), 0.05, 1e-13);
    expectRelative(chiSquaredSurvival(2 * Math.log(1000), 2), 0.001, 1e-13);
    // NIST/SEMATECH e-Handbook §1.3.6.7.4 table (3 decimals), so agreement to the table's rounding.
    expectRelative(chiSquaredSurvival(3.841, 1), 0.05, 3e-4);
    expectRelative(chiSquaredSurvival(13.816, 2), 0.001, 3e-4);
    expectRelative(chiSquaredSurvival(18.307, 10), 0.05, 3e-4);
    expectRelative(chiSquaredSurvival(23.209, 10), 0.01, 3e-4);
    expectRelative(chiSquaredCdf(4.2, 7) + chiSquaredSurvival(4.2, 7), 1, 1e-15);
    expect(chiSquaredSurvival(0, 3)).toBe(1);
  });
});
