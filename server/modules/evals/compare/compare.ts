// Two targets side by side (two targets of one run — two prompt versions — or targets of two runs): cases paired
// by index, trials folded, regressions and improvements listed, and the paired tests per evaluator and overall.
import type { CaseComparisonOut, CaseSideOut, CompareInput, CompareOut } from "@/lib/evals/compare";
import { OUTPUT_MAX_CHARS } from "@/lib/evals/compare";
import { diffText } from "@/lib/text-diff";
import { DomainError } from "@/server/errors";
import type { ProjectDeps } from "@/server/modules/deps";
import { aggregateCases, compareAll, type PairedCase, pairCases, type ScoredRow } from "./pairing";
import { expectedText, findRun, findTarget, inputPreview, parseScores } from "./rows";

/** Outputs longer than this are diffed on their first part only (the diff's cost grows with length²). */
const DIFF_MAX_CHARS = 8_000;

interface ScoredSqlRow {
  target_id: string;
  case_index: number;
  trial: number;
  score: number | null;
  passed: boolean | null;
  errored: boolean;
  evaluators: { name: string; score: unknown; passed: unknown }[] | null;
}

export async function compareRuns(deps: ProjectDeps, input: CompareInput): Promise<CompareOut> {
  const { db } = deps;
  const projectId = deps.caller.projectId;
  const runBId = input.runB ?? input.runA;
  const [runA, runB] = await Promise.all([
    findRun(db, projectId, input.runA),
    runBId === input.runA ? null : findRun(db, projectId, runBId),
  ]);
  const [targetA, targetB] = await Promise.all([
    findTarget(db, runA.id, input.targetA, "targetA"),
    findTarget(db, (runB ?? runA).id, input.targetB, "targetB"),
  ]);
  if (targetA.id === targetB.id)
    throw new DomainError("VALIDATION", "Compare a target with another target, not with itself", [
      { path: "targetB", message: "The same target as A" },
    ]);

  // The first maxCases case indexes either side has: a bounded comparison, reported when cut.
  const indexes = await db.$queryRaw<{ case_index: number }[]>`
    SELECT DISTINCT case_index FROM eval_results WHERE target_id IN (${targetA.id}::uuid, ${targetB.id}::uuid)
    ORDER BY case_index LIMIT ${input.maxCases + 1}`;
  const capped = indexes.length > input.maxCases;
  const lastCase = indexes.length ? indexes[Math.min(indexes.length, input.maxCases) - 1].case_index : -1;

  // Only what the statistics need: no outputs, no reasons.
  const rows = await db.$queryRaw<ScoredSqlRow[]>`
    SELECT r.target_id::text, r.case_index, r.trial, r.score, r.passed, (r.error IS NOT NULL) AS errored,
           (SELECT jsonb_agg(jsonb_build_object('name', s->>'name', 'score', s->'score', 'passed', s->'passed'))
              FROM jsonb_array_elements(CASE WHEN jsonb_typeof(r.scores) = 'array' THEN r.scores ELSE '[]'::jsonb END) s
              WHERE s ? 'name') AS evaluators
    FROM eval_results r
    WHERE r.target_id IN (${targetA.id}::uuid, ${targetB.id}::uuid) AND r.case_index <= ${lastCase}`;
  const toScored = (r: ScoredSqlRow): ScoredRow => ({
    caseIndex: r.case_index,
    trial: r.trial,
    score: r.score,
    passed: r.passed,
    errored: r.errored,
    evaluators: (r.evaluators ?? []).map((e) => ({
      name: e.name,
      score: typeof e.score === "number" ? e.score : null,
      passed: typeof e.passed === "boolean" ? e.passed : null,
    })),
  });
  const casesA = aggregateCases(rows.filter((r) => r.target_id === targetA.id).map(toScored));
  const casesB = aggregateCases(rows.filter((r) => r.target_id === targetB.id).map(toScored));
  const cases = pairCases(casesA, casesB, input.epsilon);

  const namesOf = (m: typeof casesA) => new Set([...m.values()].flatMap((c) => [...c.evaluators.keys()]));
  const namesB = namesOf(casesB);
  const evaluatorNames = [...namesOf(casesA)].filter((n) => namesB.has(n)).sort();
  const { overall, evaluators } = compareAll(cases, evaluatorNames);

  const count = (change: PairedCase["change"]) => cases.filter((c) => c.change === change).length;
  const listed = input.change ? cases.filter((c) => c.change === input.change) : cases;
  const pageCases = listed.slice((input.page - 1) * input.pageSize, input.page * input.pageSize);
  const items = await caseRows(deps, targetA.id, targetB.id, pageCases);

  const side = (run: typeof runA, target: typeof targetA, aggregates: typeof casesA) => ({
    runId: run.id,
    runName: run.name,
    runStatus: run.status,
    targetPosition: target.position,
    targetLabel: target.label,
    cases: aggregates.size,
  });
  return {
    a: side(runA, targetA, casesA),
    b: side(runB ?? runA, targetB, casesB),
    epsilon: input.epsilon,
    maxCases: input.maxCases,
    capped,
    counts: {
      paired: cases.length - count("only_a") - count("only_b"),
      regressions: count("regression"),
      improvements: count("improvement"),
      unchanged: count("unchanged"),
      onlyA: count("only_a"),
      onlyB: count("only_b"),
    },
    overall,
    evaluators,
    cases: { items, total: listed.length, page: input.page, pageSize: input.pageSize },
  };
}

/** The page's cases with their first trial's output on each side, the evaluators' reasons and the output diff. */
async function caseRows(
  deps: ProjectDeps,
  targetA: string,
  targetB: string,
  cases: PairedCase[],
): Promise<CaseComparisonOut[]> {
  if (cases.length === 0) return [];
  const rows = await deps.db.evalResult.findMany({
    where: { targetId: { in: [targetA, targetB] }, caseIndex: { in: cases.map((c) => c.caseIndex) } },
    orderBy: { trial: "asc" },
  });
  const first = new Map<string, (typeof rows)[number]>();
  for (const row of rows) {
    const key = `${row.targetId}:${row.caseIndex}`;
    if (!first.has(key)) first.set(key, row);
  }
  return cases.map((c) => {
    const rowA = first.get(`${targetA}:${c.caseIndex}`);
    const rowB = first.get(`${targetB}:${c.caseIndex}`);
    const sideOf = (row: typeof rowA, agg: PairedCase["a"]): CaseSideOut | null =>
      row && agg
        ? {
            score: agg.score,
            passed: agg.passed,
            trials: agg.trials,
            output: row.output === null ? null : row.output.slice(0, OUTPUT_MAX_CHARS),
            outputTruncated: (row.output?.length ?? 0) > OUTPUT_MAX_CHARS,
            error: row.error,
            requestId: row.requestId,
            latencyMs: row.latencyMs,
            costUsd: row.costUsd,
            createdAt: row.createdAt,
          }
        : null;
    const scoresA = parseScores(rowA?.scores);
    const scoresB = parseScores(rowB?.scores);
    const names = [...new Set([...scoresA.map((s) => s.name), ...scoresB.map((s) => s.name)])];
    const sample = rowA ?? rowB;
    return {
      caseIndex: c.caseIndex,
      change: c.change,
      delta: c.delta,
      inputPreview: inputPreview(sample?.input),
      expected: expectedText(sample?.expected),
      a: sideOf(rowA, c.a),
      b: sideOf(rowB, c.b),
      evaluators: names.map((name) => {
        const left = scoresA.find((s) => s.name === name);
        const right = scoresB.find((s) => s.name === name);
        // With several trials the case's numbers are the means; the reasons are the first trial's.
        return {
          name,
          scoreA: c.a?.evaluators.get(name)?.score ?? left?.score ?? null,
          scoreB: c.b?.evaluators.get(name)?.score ?? right?.score ?? null,
          passedA: c.a?.evaluators.get(name)?.passed ?? left?.passed ?? null,
          passedB: c.b?.evaluators.get(name)?.passed ?? right?.passed ?? null,
          reasonA: left?.reason ?? null,
          reasonB: right?.reason ?? null,
        };
      }),
      diff:
        rowA && rowB
          ? diffText((rowA.output ?? "").slice(0, DIFF_MAX_CHARS), (rowB.output ?? "").slice(0, DIFF_MAX_CHARS))
          : null,
    };
  });
}
