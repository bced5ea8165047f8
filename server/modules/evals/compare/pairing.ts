// Pairing two targets' results case by case and judging the difference (pure: the service feeds it rows).
import type { CaseChange, MetricComparisonOut } from "@/lib/evals/compare";
import { chooseScoreTest, mcnemar, type Pair, pairedT, verdictText, wilcoxonSignedRank } from "@/lib/evals/paired";

/** What the statistics need of one stored result (no output text). */
export interface ScoredRow {
  caseIndex: number;
  trial: number;
  score: number | null;
  passed: boolean | null;
  errored: boolean;
  evaluators: { name: string; score: number | null; passed: boolean | null }[];
}

/** One case on one side: its trials folded into one score and one verdict. */
export interface CaseAggregate {
  caseIndex: number;
  trials: number;
  /** Mean over trials; a call that failed scores 0 (the candidate did not answer). */
  score: number;
  /** More than half of its trials passed (a failed call fails). */
  passed: boolean;
  evaluators: Map<string, { score: number; passed: boolean }>;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const majority = (flags: boolean[]) => flags.filter(Boolean).length * 2 > flags.length;

/** Folds a side's rows into one aggregate per case. */
export function aggregateCases(rows: ScoredRow[]): Map<number, CaseAggregate> {
  const byCase = new Map<number, ScoredRow[]>();
  for (const row of rows) {
    const list = byCase.get(row.caseIndex);
    if (list) list.push(row);
    else byCase.set(row.caseIndex, [row]);
  }
  const out = new Map<number, CaseAggregate>();
  for (const [caseIndex, trials] of byCase) {
    const evaluatorTrials = new Map<string, { scores: number[]; passed: boolean[] }>();
    for (const t of trials) {
      for (const e of t.evaluators) {
        if (e.score === null) continue;
        const acc = evaluatorTrials.get(e.name) ?? { scores: [], passed: [] };
        acc.scores.push(e.score);
        acc.passed.push(e.passed === true);
        evaluatorTrials.set(e.name, acc);
      }
    }
    out.set(caseIndex, {
      caseIndex,
      trials: trials.length,
      score: mean(trials.map((t) => (t.errored ? 0 : (t.score ?? 0)))),
      passed: majority(trials.map((t) => !t.errored && t.passed === true)),
      evaluators: new Map(
        [...evaluatorTrials].map(([name, acc]) => [name, { score: mean(acc.scores), passed: majority(acc.passed) }]),
      ),
    });
  }
  return out;
}

export interface PairedCase {
  caseIndex: number;
  change: CaseChange;
  delta: number | null;
  a: CaseAggregate | null;
  b: CaseAggregate | null;
}

/** Float noise is not a change: a drop must exceed epsilon by more than this. */
const TOLERANCE = 1e-9;

/**
 * Pass/fail decides first (passed → failed is a regression whatever the score did); with the verdict unchanged,
 * a score moving by more than epsilon decides.
 */
function classify(a: CaseAggregate, b: CaseAggregate, epsilon: number): CaseChange {
  if (a.passed && !b.passed) return "regression";
  if (!a.passed && b.passed) return "improvement";
  const delta = b.score - a.score;
  if (delta < -epsilon - TOLERANCE) return "regression";
  if (delta > epsilon + TOLERANCE) return "improvement";
  return "unchanged";
}

const ORDER: Record<CaseChange, number> = { regression: 0, improvement: 1, unchanged: 2, only_a: 3, only_b: 4 };

/** Every case of either side, classified and ordered: regressions (worst first), improvements (best first), … */
export function pairCases(a: Map<number, CaseAggregate>, b: Map<number, CaseAggregate>, epsilon: number): PairedCase[] {
  const indexes = [...new Set([...a.keys(), ...b.keys()])];
  const cases = indexes.map((caseIndex): PairedCase => {
    const left = a.get(caseIndex) ?? null;
    const right = b.get(caseIndex) ?? null;
    if (!left) return { caseIndex, change: "only_b", delta: null, a: null, b: right };
    if (!right) return { caseIndex, change: "only_a", delta: null, a: left, b: null };
    return { caseIndex, change: classify(left, right, epsilon), delta: right.score - left.score, a: left, b: right };
  });
  return cases.sort((x, y) => {
    if (x.change !== y.change) return ORDER[x.change] - ORDER[y.change];
    if (x.change === "regression") return (x.delta ?? 0) - (y.delta ?? 0) || x.caseIndex - y.caseIndex;
    if (x.change === "improvement") return (y.delta ?? 0) - (x.delta ?? 0) || x.caseIndex - y.caseIndex;
    return x.caseIndex - y.caseIndex;
  });
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const signed = (x: number, digits = 3) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(digits)}`;

/** The paired tests for one metric over the cases both sides have it for. */
function compareMetric(
  metric: string,
  pairs: { a: { score: number; passed: boolean }; b: { score: number; passed: boolean } }[],
): MetricComparisonOut {
  const passPairs: Pair<boolean>[] = pairs.map((p) => ({ a: p.a.passed, b: p.b.passed }));
  const scorePairs: Pair<number>[] = pairs.map((p) => ({ a: p.a.score, b: p.b.score }));
  const n = pairs.length;
  const mc = mcnemar(passPairs);
  const t = pairedT(scorePairs);
  const w = wilcoxonSignedRank(scorePairs);
  const choice = chooseScoreTest(n);
  const meanA = n ? mean(scorePairs.map((p) => p.a)) : null;
  const meanB = n ? mean(scorePairs.map((p) => p.b)) : null;
  const passRateA = n ? (mc.bothPassed + mc.onlyA) / n : null;
  const passRateB = n ? (mc.bothPassed + mc.onlyB) / n : null;

  const passVerdict =
    n === 0
      ? "No case has this on both sides."
      : `Pass rate ${pct(passRateA ?? 0)} → ${pct(passRateB ?? 0)} over ${n} paired cases: B fixed ${mc.onlyB} and broke ${mc.onlyA} (McNemar, ${mc.method === "exact_binomial" ? "exact binomial" : "χ² with continuity correction"}). ${mc.onlyA + mc.onlyB === 0 ? "No case changed verdict." : verdictText(mc.pValue)}`;
  const scoreP = choice.test === "paired_t" ? t.pValue : w.pValue;
  const ci = t.ci ? ` (95% CI ${signed(t.ci[0])} to ${signed(t.ci[1])})` : "";
  const scoreVerdict =
    n === 0 || meanA === null || meanB === null
      ? "No case has this on both sides."
      : `Mean score ${meanA.toFixed(3)} → ${meanB.toFixed(3)}, difference ${signed(meanB - meanA)}${ci}. ${choice.test === "paired_t" ? "Paired t-test" : "Wilcoxon signed-rank test"}: ${n < 2 ? verdictText(null) : verdictText(scoreP)}`;
  return {
    metric,
    pairs: n,
    meanA,
    meanB,
    passRateA,
    passRateB,
    mcnemar: mc,
    pairedT: t,
    wilcoxon: w,
    scoreTest: choice.test,
    scoreTestReason: choice.reason,
    passVerdict,
    scoreVerdict,
  };
}

/** The overall comparison and one per evaluator (names on both sides, in the order given). */
export function compareAll(cases: PairedCase[], evaluatorNames: string[]) {
  const paired = cases.filter((c) => c.a && c.b) as (PairedCase & { a: CaseAggregate; b: CaseAggregate })[];
  const overall = compareMetric(
    "overall",
    paired.map((c) => ({ a: c.a, b: c.b })),
  );
  const evaluators = evaluatorNames.map((name) =>
    compareMetric(
      name,
      paired.flatMap((c) => {
        const left = c.a.evaluators.get(name);
        const right = c.b.evaluators.get(name);
        return left && right ? [{ a: left, b: right }] : [];
      }),
    ),
  );
  return { overall, evaluators };
}
