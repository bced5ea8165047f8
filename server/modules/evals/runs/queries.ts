// Reading eval runs (list, one with its summary and job, its results page) and cancelling one.
import type { z } from "zod";
import type { EvalRunOut, evalRunIdInput, listEvalResultsInput, listEvalRunsInput } from "@/lib/evals/runs";
import { FINAL_EVAL_RUN_STATUSES } from "@/lib/evals/runs";
import { runSummarySchema, targetSummarySchema } from "@/lib/evals/summary";
import type { Db } from "@/server/db";
import { DomainError, notFound } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import type { ProjectDeps } from "@/server/modules/deps";
import { getJob, requestCancel } from "@/server/modules/jobs/service";
import type { EvalRunConfig } from "./config";
import { finalizeEvalRun } from "./executor";

const withTargets = { targets: { orderBy: { position: "asc" } } } as const;
type RunRow = Prisma.EvalRunGetPayload<{ include: typeof withTargets }>;

type DatasetNames = Map<string, { id: string; name: string; version: number }>;

async function datasetNames(db: Db, versionIds: string[]): Promise<DatasetNames> {
  const rows = await db.datasetVersion.findMany({
    where: { id: { in: [...new Set(versionIds)] } },
    select: { id: true, version: true, dataset: { select: { id: true, name: true } } },
  });
  return new Map(rows.map((r) => [r.id, { id: r.dataset.id, name: r.dataset.name, version: r.version }]));
}

function toRun(r: RunRow, names: DatasetNames): EvalRunOut {
  const config = r.config as unknown as Partial<EvalRunConfig>;
  const dataset = names.get(r.datasetVersionId);
  const summary = runSummarySchema.safeParse(r.summary);
  return {
    id: r.id,
    name: r.name,
    status: r.status as EvalRunOut["status"],
    dataset: {
      id: dataset?.id ?? "",
      name: dataset?.name ?? "(deleted dataset)",
      versionId: r.datasetVersionId,
      version: dataset?.version ?? 0,
    },
    trials: config.trials ?? 1,
    concurrency: config.concurrency ?? 1,
    budgetUsd: config.budgetUsd ?? null,
    totalCases: r.totalCases,
    doneCases: r.doneCases,
    costUsd: r.costUsd,
    evalCostUsd: r.evalCostUsd,
    error: r.error,
    jobId: r.jobId,
    baselineRunId: r.baselineRunId,
    gatePassed: summary.success ? summary.data.gatePassed : null,
    createdByLabel: r.createdByLabel,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    targets: r.targets.map((t) => {
      const parsed = targetSummarySchema.safeParse(t.summary);
      return {
        id: t.id,
        position: t.position,
        label: t.label,
        promptVersionId: t.promptVersionId,
        modelVersionId: t.modelVersionId,
        model: t.model,
        params: (t.params ?? {}) as Record<string, unknown>,
        summary: parsed.success ? parsed.data : null,
      };
    }),
  };
}

async function findRun(db: Db, projectId: string, id: string): Promise<RunRow> {
  const run = await db.evalRun.findFirst({ where: { id, projectId }, include: withTargets });
  if (!run) throw notFound("Eval run", id);
  return run;
}

export async function listEvalRuns(deps: ProjectDeps, input: z.output<typeof listEvalRunsInput>) {
  const rows = await deps.db.evalRun.findMany({
    where: { projectId: deps.caller.projectId, status: input.status, datasetVersionId: input.datasetVersionId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    include: withTargets,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
  });
  const page = rows.slice(0, input.limit);
  const names = await datasetNames(
    deps.db,
    page.map((r) => r.datasetVersionId),
  );
  const items = page.map((r) => toRun(r, names));
  return { items, nextCursor: rows.length > input.limit ? items[items.length - 1].id : null };
}

export async function getEvalRun(deps: ProjectDeps, { id }: z.output<typeof evalRunIdInput>) {
  const run = await findRun(deps.db, deps.caller.projectId, id);
  const names = await datasetNames(deps.db, [run.datasetVersionId]);
  const summary = runSummarySchema.safeParse(run.summary);
  const job = run.jobId ? await getJob(deps, { id: run.jobId }).catch(() => null) : null;
  return {
    ...toRun(run, names),
    config: (run.config ?? {}) as Record<string, unknown>,
    summary: summary.success ? summary.data : null,
    job: job ? (({ payload: _p, result: _r, checkpoint: _c, logs: _l, ...rest }) => rest)(job) : null,
  };
}

/**
 * Cancels a run: one not started yet ends at once; a running one stops within a second or two (its job's signal)
 * and keeps, and summarizes, the results it stored. A finished run cannot be cancelled (409).
 */
export async function cancelEvalRun(deps: ProjectDeps, { id }: z.output<typeof evalRunIdInput>) {
  const run = await findRun(deps.db, deps.caller.projectId, id);
  if (FINAL_EVAL_RUN_STATUSES.includes(run.status as never))
    throw new DomainError("CONFLICT", `Cannot cancel an eval run with status '${run.status}'`);
  const running = run.jobId ? await requestCancel(deps.db, deps.caller.projectId, run.jobId) : false;
  if (!running) await finalizeEvalRun(deps.db, run.id, "cancelled");
  return getEvalRun(deps, { id });
}

export async function listEvalResults(deps: ProjectDeps, input: z.output<typeof listEvalResultsInput>) {
  const run = await deps.db.evalRun.findFirst({
    where: { id: input.id, projectId: deps.caller.projectId },
    select: { id: true, targets: { select: { id: true, position: true } } },
  });
  if (!run) throw notFound("Eval run", input.id);
  if (input.targetId && !run.targets.some((t) => t.id === input.targetId))
    throw new DomainError("NOT_FOUND", `targetId: the run has no target '${input.targetId}'`, [
      { path: "targetId", message: "Not a target of this run" },
    ]);
  const where: Prisma.EvalResultWhereInput = {
    runId: run.id,
    ...(input.targetId ? { targetId: input.targetId } : {}),
    ...(input.failedOnly ? { OR: [{ error: { not: null } }, { passed: false }] } : {}),
  };
  const [total, rows] = await Promise.all([
    deps.db.evalResult.count({ where }),
    deps.db.evalResult.findMany({
      where,
      orderBy: [{ caseIndex: "asc" }, { target: { position: "asc" } }, { trial: "asc" }],
      skip: input.offset,
      take: input.limit,
    }),
  ]);
  const items = rows.map((r) => ({
    targetId: r.targetId,
    caseIndex: r.caseIndex,
    trial: r.trial,
    input: r.input,
    expected: r.expected,
    output: r.output,
    error: r.error,
    scores: (r.scores ?? []) as never,
    score: r.score,
    passed: r.passed,
    latencyMs: r.latencyMs,
    tokensIn: r.tokensIn,
    tokensOut: r.tokensOut,
    costUsd: r.costUsd,
    evalCostUsd: r.evalCostUsd,
    requestId: r.requestId,
  }));
  const next = input.offset + rows.length;
  return { items, total, nextOffset: next < total ? next : null };
}

const OPTIONS = 200;

/** The choices of the "New eval run" form, in one read. */
export async function evalRunOptions(deps: ProjectDeps) {
  const { db } = deps;
  const projectId = deps.caller.projectId;
  const [datasetVersions, promptVersions, modelVersions, evaluators] = await Promise.all([
    db.datasetVersion.findMany({
      where: { dataset: { projectId } },
      orderBy: { createdAt: "desc" },
      take: OPTIONS,
      select: { id: true, version: true, exampleCount: true, dataset: { select: { name: true } } },
    }),
    db.promptVersion.findMany({
      where: { prompt: { projectId } },
      orderBy: [{ prompt: { name: "asc" } }, { version: "desc" }],
      take: OPTIONS,
      select: { id: true, version: true, config: true, prompt: { select: { name: true } } },
    }),
    db.modelVersion.findMany({
      where: { model: { projectId } },
      orderBy: [{ model: { name: "asc" } }, { version: "desc" }],
      take: OPTIONS,
      select: { id: true, version: true, model: { select: { name: true } } },
    }),
    db.evaluator.findMany({
      where: { projectId },
      orderBy: { name: "asc" },
      take: OPTIONS,
      select: {
        name: true,
        versions: { orderBy: { version: "desc" }, take: 1, select: { version: true, type: true } },
      },
    }),
  ]);
  return {
    datasetVersions: datasetVersions.map((v) => ({
      id: v.id,
      dataset: v.dataset.name,
      version: v.version,
      exampleCount: v.exampleCount,
    })),
    promptVersions: promptVersions.map((v) => {
      const model = (v.config as { model?: unknown } | null)?.model;
      return { id: v.id, prompt: v.prompt.name, version: v.version, model: typeof model === "string" ? model : null };
    }),
    modelVersions: modelVersions.map((v) => ({ id: v.id, model: v.model.name, version: v.version })),
    evaluators: evaluators
      .filter((e) => e.versions.length)
      .map((e) => ({ name: e.name, version: e.versions[0].version, type: e.versions[0].type })),
  };
}
