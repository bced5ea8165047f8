// Evaluator versions as runs use them (loaded once per run) and one case scored by all of them.
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { runEvaluator } from "./evaluators/run";
import type { CaseScore, EvalSample, EvaluatorSpec, ScoreDeps } from "./types";

type Ref = { evaluatorVersionId?: string; name?: string; version?: number; weight: number };

const versionSelect = {
  id: true,
  version: true,
  type: true,
  config: true,
  threshold: true,
  negate: true,
  evaluator: { select: { name: true, projectId: true, secretCiphertext: true } },
} as const;

type VersionRow = {
  id: string;
  version: number;
  type: string;
  config: unknown;
  threshold: number | null;
  negate: boolean;
  evaluator: { name: string; secretCiphertext: string | null };
};

function toSpec(row: VersionRow, weight: number): EvaluatorSpec {
  const spec: EvaluatorSpec = {
    evaluatorVersionId: row.id,
    name: row.evaluator.name,
    version: row.version,
    type: row.type,
    config: row.config,
    threshold: row.threshold,
    negate: row.negate,
    weight,
  };
  // An HTTP evaluator's signing secret rides along unseen: not enumerable, so a spec written to a job payload or a
  // log line never carries it (a spec read back from JSON makes the evaluator look the secret up instead).
  Object.defineProperty(spec, "secretCiphertext", { value: row.evaluator.secretCiphertext, enumerable: false });
  return spec;
}

async function loadOne(db: Db, projectId: string, ref: Ref): Promise<VersionRow> {
  if (ref.evaluatorVersionId) {
    const row = await db.evaluatorVersion.findFirst({
      where: { id: ref.evaluatorVersionId, evaluator: { projectId } },
      select: versionSelect,
    });
    if (!row) throw new DomainError("NOT_FOUND", `Evaluator version '${ref.evaluatorVersionId}' not found`);
    return row;
  }
  if (!ref.name) throw new DomainError("VALIDATION", "Name an evaluator or an evaluator version");
  const evaluator = await db.evaluator.findUnique({
    where: { projectId_name: { projectId, name: ref.name } },
    select: { id: true },
  });
  if (!evaluator) throw new DomainError("NOT_FOUND", `Evaluator '${ref.name}' not found`);
  const row = await db.evaluatorVersion.findFirst({
    where: { evaluatorId: evaluator.id, ...(ref.version ? { version: ref.version } : {}) },
    orderBy: { version: "desc" },
    select: versionSelect,
  });
  if (!row)
    throw new DomainError(
      "NOT_FOUND",
      ref.version
        ? `Evaluator '${ref.name}' has no version ${ref.version}`
        : `Evaluator '${ref.name}' has no version yet`,
    );
  return row;
}

/** Loads evaluator versions by id, or by name (newest version unless one is given), refusing unknown ones (404). */
export async function loadEvaluatorSpecs(db: Db, projectId: string, refs: Ref[]): Promise<EvaluatorSpec[]> {
  const rows = await Promise.all(refs.map((ref) => loadOne(db, projectId, ref)));
  return rows.map((row, i) => toSpec(row, refs[i].weight));
}

/**
 * Scores one answer with every evaluator: the case's score is the weighted mean; passed when all passed; costUsd
 * sums the evaluators' own calls. An evaluator that fails scores 0 with the error as its reason: one evaluator
 * never fails the case. No evaluators: score 1, passed (nothing was required).
 */
export async function scoreSample(
  deps: ScoreDeps,
  evaluators: EvaluatorSpec[],
  sample: EvalSample,
): Promise<CaseScore> {
  const scores = await Promise.all(evaluators.map((spec) => runEvaluator(deps, spec, sample)));
  const totalWeight = scores.reduce((sum, s) => sum + s.weight, 0);
  const score = totalWeight > 0 ? scores.reduce((sum, s) => sum + s.weight * s.score, 0) / totalWeight : 1;
  return {
    score,
    passed: scores.every((s) => s.passed),
    scores,
    costUsd: scores.reduce((sum, s) => sum + s.costUsd, 0),
  };
}
