// TEMP evaluator stub (branch h/runs): just `exact` and `contains`, so the eval-run tests can run before the
// evaluators work lands. The lead drops this commit at merge; the evaluators helper's score.ts replaces it.
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import type { CaseScore, EvalSample, EvaluatorScore, EvaluatorSpec, ScoreDeps } from "./types";

/** Loads evaluator versions by id, or by name (newest version unless one is given), refusing unknown ones (404). */
export async function loadEvaluatorSpecs(
  db: Db,
  projectId: string,
  refs: { evaluatorVersionId?: string; name?: string; version?: number; weight: number }[],
): Promise<EvaluatorSpec[]> {
  const specs: EvaluatorSpec[] = [];
  for (const [i, ref] of refs.entries()) {
    const row = await db.evaluatorVersion.findFirst({
      where: ref.evaluatorVersionId
        ? { id: ref.evaluatorVersionId, evaluator: { projectId } }
        : { evaluator: { projectId, name: ref.name }, ...(ref.version ? { version: ref.version } : {}) },
      orderBy: { version: "desc" },
      include: { evaluator: { select: { name: true } } },
    });
    if (!row)
      throw new DomainError("NOT_FOUND", `Evaluator ${ref.evaluatorVersionId ?? ref.name} not found`, [
        { path: `evaluators.${i}`, message: "No such evaluator" },
      ]);
    specs.push({
      evaluatorVersionId: row.id,
      name: row.evaluator.name,
      version: row.version,
      type: row.type,
      config: row.config,
      threshold: row.threshold,
      negate: row.negate,
      weight: ref.weight,
    });
  }
  return specs;
}

/** Scores one answer with every evaluator: the case's score is the weighted mean; passed when all passed. */
export async function scoreSample(
  _deps: ScoreDeps,
  evaluators: EvaluatorSpec[],
  sample: EvalSample,
): Promise<CaseScore> {
  const scores: EvaluatorScore[] = evaluators.map((e) => {
    const config = (e.config ?? {}) as { value?: string };
    const want = String(config.value ?? sample.expected ?? "");
    const hit = e.type === "exact" ? sample.output.trim() === want.trim() : sample.output.includes(want);
    const raw = hit ? 1 : 0;
    const score = e.negate ? 1 - raw : raw;
    return {
      evaluatorVersionId: e.evaluatorVersionId,
      name: e.name,
      version: e.version,
      type: e.type,
      score,
      passed: score >= (e.threshold ?? 1),
      reason: hit ? "matched" : "did not match",
      weight: e.weight,
      costUsd: 0,
    };
  });
  const weights = scores.reduce((s, x) => s + x.weight, 0);
  return {
    score: weights ? scores.reduce((s, x) => s + x.score * x.weight, 0) / weights : 0,
    passed: scores.every((s) => s.passed),
    scores,
    costUsd: 0,
  };
}
