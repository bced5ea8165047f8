// TEMP evaluator stub (online evaluation's tests): exact / contains / regex only. The evaluators work replaces it.
import { RE2JS } from "re2js";
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
  for (const ref of refs) {
    const row = await db.evaluatorVersion.findFirst({
      where: ref.evaluatorVersionId
        ? { id: ref.evaluatorVersionId, evaluator: { projectId } }
        : { evaluator: { projectId, name: ref.name }, ...(ref.version ? { version: ref.version } : {}) },
      orderBy: { version: "desc" },
      include: { evaluator: { select: { name: true } } },
    });
    if (!row) throw new DomainError("NOT_FOUND", `Evaluator '${ref.evaluatorVersionId ?? ref.name}' was not found`);
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
  const scores: EvaluatorScore[] = evaluators.map((spec) => {
    const config = (spec.config ?? {}) as { value?: string; pattern?: string };
    let hit: boolean;
    if (spec.type === "exact") hit = sample.output.trim() === String(config.value ?? sample.expected ?? "").trim();
    else if (spec.type === "contains") hit = sample.output.includes(String(config.value ?? ""));
    else if (spec.type === "regex")
      hit = RE2JS.compile(String(config.pattern ?? ""))
        .matcher(sample.output)
        .find();
    else throw new Error(`evaluator type ${spec.type} is not in the TEMP stub`);
    const raw = hit ? 1 : 0;
    const score = spec.negate ? 1 - raw : raw;
    return {
      evaluatorVersionId: spec.evaluatorVersionId,
      name: spec.name,
      version: spec.version,
      type: spec.type,
      score,
      passed: score >= (spec.threshold ?? 1),
      reason: hit ? "matched" : "did not match",
      weight: spec.weight,
      costUsd: 0,
    };
  });
  const weights = scores.reduce((s, e) => s + e.weight, 0) || 1;
  return {
    score: scores.reduce((s, e) => s + e.score * e.weight, 0) / weights,
    passed: scores.every((e) => e.passed),
    scores,
    costUsd: 0,
  };
}
