// Starting an eval run: validate, resolve everything it names (404 for what does not exist), write the run and
// its targets in one transaction, then hand it to the job runtime (`eval.run`, executor.ts).
import { type CreateEvalRunInput, createEvalRunSchema } from "@/lib/evals/runs";
import type { Db } from "@/server/db";
import { DomainError, toDomainError } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import { loadEvaluatorSpecs } from "@/server/modules/evals/score";
import { enqueueJob } from "@/server/modules/jobs/enqueue";
import type { EvalRunConfig } from "./config";
import { evalRunKind } from "./executor";
import { resolveTargets } from "./targets";

export interface EvalRunDeps {
  db: Db;
  projectId: string;
  /** Who started it; targets are called as `apiKeyId` when a key started it. */
  createdBy: { userId: string | null; label: string };
  apiKeyId: string | null;
}

/** Validates, resolves evaluators and targets (404 for unknown ids), writes the run and its targets, enqueues `eval.run`. */
export async function createEvalRun(
  deps: EvalRunDeps,
  raw: CreateEvalRunInput,
): Promise<{ id: string; jobId: string }> {
  const parsed = createEvalRunSchema.safeParse(raw);
  if (!parsed.success) throw toDomainError(parsed.error)!;
  const input = parsed.data;
  const { db, projectId } = deps;
  if (input.baselineTarget !== undefined && input.baselineTarget >= input.targets.length)
    throw new DomainError("VALIDATION", `baselineTarget: there are only ${input.targets.length} targets`, [
      { path: "baselineTarget", message: "Index into targets" },
    ]);

  if (deps.apiKeyId) {
    // The targets are called as this key: one the gateway would refuse fails here, not in every result.
    const key = await db.apiKey.findUnique({ where: { id: deps.apiKeyId }, select: { scopes: true } });
    if (!key?.scopes.includes("gateway:invoke"))
      throw new DomainError(
        "FORBIDDEN",
        "An eval run calls its targets as the API key that starts it, and this key lacks the 'gateway:invoke' scope",
      );
  }
  const dataset = await db.datasetVersion.findFirst({
    where: { id: input.datasetVersionId, dataset: { projectId } },
    select: { id: true, exampleCount: true },
  });
  if (!dataset)
    throw new DomainError("NOT_FOUND", `datasetVersionId: dataset version '${input.datasetVersionId}' was not found`, [
      { path: "datasetVersionId", message: "No such dataset version" },
    ]);
  if (dataset.exampleCount === 0)
    throw new DomainError("VALIDATION", "datasetVersionId: the dataset version has no examples", [
      { path: "datasetVersionId", message: "Empty" },
    ]);
  if (input.baselineRunId) {
    const baseline = await db.evalRun.findFirst({
      where: { id: input.baselineRunId, projectId },
      select: { id: true },
    });
    if (!baseline)
      throw new DomainError("NOT_FOUND", `baselineRunId: eval run '${input.baselineRunId}' was not found`, [
        { path: "baselineRunId", message: "No such eval run" },
      ]);
  }
  const specs = await loadEvaluatorSpecs(db, projectId, input.evaluators);
  const targets = await resolveTargets(db, projectId, input.targets);

  const cases = Math.min(dataset.exampleCount, input.caseLimit ?? Number.POSITIVE_INFINITY);
  const config: EvalRunConfig = {
    evaluators: specs.map((s) => ({
      evaluatorVersionId: s.evaluatorVersionId,
      name: s.name,
      version: s.version,
      weight: s.weight,
    })),
    trials: input.trials,
    concurrency: input.concurrency,
    budgetUsd: input.budgetUsd ?? null,
    caseLimit: input.caseLimit ?? null,
    thresholds: input.thresholds,
    baselineTarget: input.baselineTarget ?? null,
  };
  const run = await db.$transaction(async (tx) => {
    const created = await tx.evalRun.create({
      data: {
        projectId,
        name: input.name,
        datasetVersionId: dataset.id,
        config: config as unknown as Prisma.InputJsonValue,
        baselineRunId: input.baselineRunId ?? null,
        totalCases: cases * targets.length * input.trials,
        apiKeyId: deps.apiKeyId,
        createdById: deps.createdBy.userId,
        createdByLabel: deps.createdBy.label,
      },
      select: { id: true },
    });
    await tx.evalTarget.createMany({
      data: targets.map((t) => ({ ...t, runId: created.id, params: t.params as Prisma.InputJsonValue })),
    });
    return created;
  });
  // The job comes after the commit: a worker that picks it up at once must find the run.
  const job = await enqueueJob(db, evalRunKind, {
    projectId,
    payload: { runId: run.id },
    subject: { type: "eval_run", id: run.id },
    createdBy: deps.createdBy,
  });
  await db.evalRun.update({ where: { id: run.id }, data: { jobId: job.id } });
  return { id: run.id, jobId: job.id };
}
