import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  chooseScoreTest,
  formatP,
  mcnemar,
  mcnemarFromCounts,
  type Pair,
  pairedT,
  verdictText,
  wilcoxonSignedRank,
} from "./paired";

const zip = (a: number[], b: number[]): Pair<number>[] => a.map((x, i) => ({ a: x, b: b[i] }));

// Student's sleep data (Cushny & Peebles 1905), R's `sleep`: extra hours of sleep under two drugs, same patients.
const SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

describe("McNemar", () => {
  it("matches Agresti's presidential approval table with R's continuity-corrected statistic", () => {
    // Agresti (1990) p. 350; R: mcnemar.test(matrix(c(794, 86, 150, 570), 2)) → χ² = 16.818, p = 4.115e-05.
    const r = mcnemarFromCounts({ bothPassed: 794, bothFailed: 570, onlyA: 150, onlyB: 86 });
    expect(r.method).toBe("chi_squared_corrected");
    expect(r.statistic).toBeCloseTo(3969 / 236, 10);
    expect(r.statistic).toBeCloseTo(16.818, 3);
    expect(r.pValue).toBeCloseTo(4.115e-5, 8);
    expect(r.significant).toBe(true);
    expect(r.pairs).toBe(1600);
  });

  it("uses the exact binomial test for few discordant pairs", () => {
    // 8 discordant pairs all one way: p = 2 · (½)^8.
    const pairs = [
      ...Array.from({ length: 7 }, () => ({ a: false, b: false })),
      ...Array.from({ length: 8 }, () => ({ a: false, b: true })),
      ...Array.from({ length: 5 }, () => ({ a: true, b: true })),
    ];
    const r = mcnemar(pairs);
    expect(r).toMatchObject({ method: "exact_binomial", onlyA: 0, onlyB: 8, bothPassed: 5, bothFailed: 7 });
    expect(r.pValue).toBeCloseTo(2 / 256, 15);
    // 3 vs 10 of 13: 2 · (C(13,0)+C(13,1)+C(13,2)+C(13,3)) / 2^13 = 2 · 378 / 8192.
    const mixed = mcnemarFromCounts({ bothPassed: 50, bothFailed: 10, onlyA: 3, onlyB: 10 });
    expect(mixed.pValue).toBeCloseTo(756 / 8192, 15);
    expect(mixed.significant).toBe(false);
  });

  it("says nothing changed when no pair disagrees, and caps p at 1 for a balanced table", () => {
    expect(mcnemarFromCounts({ bothPassed: 4, bothFailed: 2, onlyA: 0, onlyB: 0 }).pValue).toBe(1);
    expect(mcnemarFromCounts({ bothPassed: 0, bothFailed: 0, onlyA: 5, onlyB: 5 }).pValue).toBe(1);
  });

  it("is symmetric in A and B", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ a: fc.boolean(), b: fc.boolean() }), { maxLength: 200 }), (pairs) => {
        const there = mcnemar(pairs);
        const back = mcnemar(pairs.map(({ a, b }) => ({ a: b, b: a })));
        expect(back.pValue).toBeCloseTo(there.pValue, 12);
        expect(back.onlyA).toBe(there.onlyB);
        expect(there.pValue).toBeGreaterThanOrEqual(0);
        expect(there.pValue).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe("paired t", () => {
  it("matches R's t.test(sleep, paired = TRUE)", () => {
    // R: t = -4.0621, df = 9, p-value = 0.002833, 95 % CI -2.4598858 -0.7001142, mean difference -1.58.
    const r = pairedT(zip(SLEEP_2, SLEEP_1));
    expect(r.meanDifference).toBeCloseTo(-1.58, 12);
    expect(r.t).toBeCloseTo(-4.0621, 4);
    expect(r.df).toBe(9);
    expect(r.pValue).toBeCloseTo(0.002833, 6);
    expect(r.ci?.[0]).toBeCloseTo(-2.4598858, 6);
    expect(r.ci?.[1]).toBeCloseTo(-0.7001142, 6);
    expect(r.significant).toBe(true);
  });

  it("needs two pairs, and handles differences without spread", () => {
    expect(pairedT([{ a: 0.2, b: 0.9 }]).pValue).toBeNull();
    const same = pairedT([
      { a: 0.5, b: 0.5 },
      { a: 0.1, b: 0.1 },
    ]);
    expect(same).toMatchObject({ meanDifference: 0, pValue: 1, t: null, significant: false });
    const shifted = pairedT([
      { a: 0.25, b: 0.5 },
      { a: 0.5, b: 0.75 },
      { a: 0, b: 0.25 },
    ]);
    expect(shifted).toMatchObject({ meanDifference: 0.25, pValue: 0, t: null, significant: true });
  });

  it("agrees with a hand-worked example", () => {
    // d = 0.1, 0.3, 0.2, 0.4: mean 0.25, sd √(0.05/3), t = 0.25 / (sd/2) = 3.873, df 3.
    const r = pairedT(zip([0, 0, 0, 0], [0.1, 0.3, 0.2, 0.4]));
    const sd = Math.sqrt(0.05 / 3);
    expect(r.t).toBeCloseTo(0.25 / (sd / 2), 10);
    // Two-sided p for t = 3.873 on 3 df (tables: between 0.02 and 0.05; R: 0.03047).
    expect(r.pValue).toBeCloseTo(0.03047, 4);
  });

  it("is antisymmetric in A and B and its interval contains the mean difference", () => {
    const score = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.record({ a: score, b: score }), { minLength: 2, maxLength: 80 }), (pairs) => {
        const there = pairedT(pairs);
        const back = pairedT(pairs.map(({ a, b }) => ({ a: b, b: a })));
        expect(back.meanDifference).toBeCloseTo(-(there.meanDifference ?? 0), 12);
        expect(back.pValue).toBeCloseTo(there.pValue ?? -1, 10);
        const [lo, hi] = there.ci ?? [0, 0];
        expect(lo).toBeLessThanOrEqual((there.meanDifference ?? 0) + 1e-12);
        expect(hi).toBeGreaterThanOrEqual((there.meanDifference ?? 0) - 1e-12);
      }),
    );
  });
});

describe("Wilcoxon signed-rank", () => {
  it("matches R's exact test on Hollander & Wolfe's depression data", () => {
    // R ?wilcox.test: x = first visit, y = second; wilcox.test(x, y, paired = TRUE) → V = 40, p-value = 0.03906.
    const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
    const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
    const r = wilcoxonSignedRank(zip(y, x));
    expect(r.method).toBe("exact");
    expect(r.statistic).toBe(40);
    expect(r.pValue).toBeCloseTo(0.0390625, 10); // 2 · 10/512
  });

  it("matches R's normal approximation with ties and zeros on the sleep data", () => {
    // wilcox.test(sleep group 1, group 2, paired = TRUE) → V = 0, p-value = 0.009091 (ties and a zero).
    const r = wilcoxonSignedRank(zip(SLEEP_2, SLEEP_1));
    expect(r).toMatchObject({ method: "normal", statistic: 0, nonZero: 9, n: 10, ties: true });
    // σ² = 9·10·19/24 − (2³ − 2)/48 = 71.125; z = (0 − 22.5 + 0.5)/σ.
    expect(r.z).toBeCloseTo(-22 / Math.sqrt(71.125), 12);
    expect(r.pValue).toBeCloseTo(0.009091, 6);
  });

  it("exact p agrees with brute-force enumeration of the sign flips", () => {
    const distinct = fc.uniqueArray(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(distinct, fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), (sizes, signs) => {
        const d = sizes.map((s, i) => (signs[i] ? s : -s) / 1000);
        const r = wilcoxonSignedRank(d.map((x) => ({ a: 0, b: x })));
        // Enumerate every sign assignment of the ranks 1..n: the null distribution of V.
        const n = d.length;
        const mean = (n * (n + 1)) / 4;
        let asExtreme = 0;
        for (let mask = 0; mask < 2 ** n; mask++) {
          let v = 0;
          for (let k = 0; k < n; k++) if (mask & (1 << k)) v += k + 1;
          if (Math.abs(v - mean) >= Math.abs(r.statistic - mean) - 1e-9) asExtreme++;
        }
        expect(r.method).toBe("exact");
        expect(r.pValue).toBeCloseTo(Math.min(1, asExtreme / 2 ** n), 12);
      }),
      { numRuns: 60 },
    );
  });

  it("no non-zero difference is no evidence", () => {
    expect(wilcoxonSignedRank(zip([0.5, 1], [0.5, 1]))).toMatchObject({ pValue: 1, nonZero: 0 });
  });
});

describe("choice and words", () => {
  it("picks Wilcoxon for few pairs and t from 30", () => {
    expect(chooseScoreTest(12).test).toBe("wilcoxon");
    expect(chooseScoreTest(30).test).toBe("paired_t");
  });

  it("says whether the difference is real at 95 %", () => {
    expect(verdictText(0.0021)).toBe("The difference is real at 95% (p = 0.0021).");
    expect(verdictText(0.41)).toBe("Not significant at 95% (p = 0.410).");
    expect(verdictText(null)).toBe("Too few pairs to test.");
    expect(formatP(3e-7)).toBe("p < 0.0001");
  });
});
