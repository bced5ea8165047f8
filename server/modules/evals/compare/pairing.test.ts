import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aggregateCases, compareAll, pairCases, type ScoredRow } from "./pairing";

const row = (caseIndex: number, score: number | null, extra: Partial<ScoredRow> = {}): ScoredRow => ({
  caseIndex,
  trial: 0,
  score,
  passed: score === null ? null : score >= 0.5,
  errored: false,
  evaluators: score === null ? [] : [{ name: "exact", score, passed: score >= 0.5 }],
  ...extra,
});

describe("pairing", () => {
  it("folds trials into a mean score and the verdict of most trials; a failed call scores 0 and fails", () => {
    const cases = aggregateCases([
      row(0, 1, { trial: 0 }),
      row(0, 0.2, { trial: 1 }),
      row(0, 0.9, { trial: 2 }),
      row(1, null, { errored: true }),
      row(2, 1, { trial: 0 }),
      row(2, 0, { trial: 1 }),
    ]);
    expect(cases.get(0)).toMatchObject({ trials: 3, passed: true });
    expect(cases.get(0)?.score).toBeCloseTo(0.7, 12);
    expect(cases.get(1)).toMatchObject({ score: 0, passed: false });
    // One of two trials passing is not a majority.
    expect(cases.get(2)).toMatchObject({ score: 0.5, passed: false });
  });

  it("swapping A and B swaps regressions and improvements, and every case is counted once", () => {
    const side = fc.dictionary(
      fc.integer({ min: 0, max: 40 }).map(String),
      fc.oneof(fc.constant(null), fc.double({ min: 0, max: 1, noNaN: true })),
    );
    fc.assert(
      fc.property(side, side, fc.double({ min: 0, max: 0.3, noNaN: true }), (a, b, epsilon) => {
        const rows = (d: Record<string, number | null>) =>
          Object.entries(d).map(([k, v]) => row(Number(k), v, { errored: v === null }));
        const A = aggregateCases(rows(a));
        const B = aggregateCases(rows(b));
        const there = pairCases(A, B, epsilon);
        const back = pairCases(B, A, epsilon);
        const count = (cs: typeof there, change: string) => cs.filter((c) => c.change === change).length;
        expect(count(there, "regression")).toBe(count(back, "improvement"));
        expect(count(there, "only_a")).toBe(count(back, "only_b"));
        expect(there.length).toBe(new Set([...Object.keys(a), ...Object.keys(b)]).size);
        // Regressions come first, worst first.
        const deltas = there.filter((c) => c.change === "regression").map((c) => c.delta ?? 0);
        expect([...deltas].sort((x, y) => x - y)).toEqual(deltas);
        const { overall } = compareAll(there, ["exact"]);
        expect(overall.pairs).toBe(there.filter((c) => c.a && c.b).length);
      }),
    );
  });
});
