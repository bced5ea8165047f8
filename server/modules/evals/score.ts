// CONTRACT STUB: the evaluators work replaces these bodies.
import type { Db } from "@/server/db";
import type { CaseScore, EvalSample, EvaluatorSpec, ScoreDeps } from "./types";

/** Loads evaluator versions by id, or by name (newest version unless one is given), refusing unknown ones (404). */
export async function loadEvaluatorSpecs(
  _db: Db,
  _projectId: string,
  _refs: { evaluatorVersionId?: string; name?: string; version?: number; weight: number }[],
): Promise<EvaluatorSpec[]> {
  throw new Error("loadEvaluatorSpecs: not implemented yet");
}

/** Scores one answer with every evaluator: the case's score is the weighted mean; passed when all passed. */
export async function scoreSample(
  _deps: ScoreDeps,
  _evaluators: EvaluatorSpec[],
  _sample: EvalSample,
): Promise<CaseScore> {
  throw new Error("scoreSample: not implemented yet");
}
