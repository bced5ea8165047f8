// Starting, cancelling and reading workflow runs. A run pins one version; its job (`workflow.run`) executes it.
import type { z } from "zod";
import type { listRunsInput, runIdInput, runInput } from "@/lib/workflows/api";
import { FINAL_RUN_STATUSES, stepLogLine } from "@/lib/workflows/api";
import type { InputSpec, WorkflowDefinition } from "@/lib/workflows/schema";
import type { Db } from "@/server/db";
import { DomainError, notFound } from "@/server/errors";
import { type Prisma, Prisma as PrismaNs } from "@/server/generated/prisma/client";
import { recordAudit } from "@/server/modules/audit/service";
import type { ProjectDeps, ServiceDeps } from "@/server/modules/deps";
import { enqueueJob } from "@/server/modules/jobs/enqueue";
import { requestCancel } from "@/server/modules/jobs/service";
import { workflowRunKind } from "./engine";
import { findWorkflow } from "./service";

type Value = string | number | boolean;

/** The run's inputs: declared ones only, typed, defaults filled in, required ones present (400 naming the input). */
export function resolveInputs(
  specs: Record<string, InputSpec>,
  given: Record<string, Value>,
): Record<string, Value | null> {
  for (const name of Object.keys(given))
    if (!Object.hasOwn(specs, name))
      throw new DomainError("BAD_REQUEST", `Unknown input '${name}'`, [
        { path: `inputs.${name}`, message: "Not an input of this workflow" },
      ]);
  const out: Record<string, Value | null> = {};
  for (const [name, spec] of Object.entries(specs)) {
    let value: Value | undefined = given[name] ?? spec.default;
    if (typeof value === "string" && spec.type === "number" && value.trim() !== "" && Number.isFinite(Number(value)))
      value = Number(value);
    if (typeof value === "string" && spec.type === "boolean" && (value === "true" || value === "false"))
      value = value === "true";
    if (value === undefined) {
      if (spec.required)
        throw new DomainError("BAD_REQUEST", `The input '${name}' is required`, [
          { path: `inputs.${name}`, message: "Required" },
        ]);
      out[name] = null;
    } else if (typeof value !== spec.type)
      throw new DomainError("BAD_REQUEST", `The input '${name}' must be a ${spec.type}`, [
        { path: `inputs.${name}`, message: `Must be a ${spec.type}` },
      ]);
    else out[name] = value;
  }
  return out;
}

interface StartRun {
  workflowId: string;
  projectId: string;
  versionId: string;
  trigger: Record<string, unknown>;
  inputs: Record<string, unknown>;
  createdBy: { userId: string | null; label: string };
  /** One run per key and workflow (`schedule:<fire time>`, `prompt_version:<id>`...). */
  triggerKey?: string;
}

/**
 * Writes the run and enqueues its job. With a trigger key a second start of the same event returns the first run
 * (and enqueues its job if the process that wrote it died before doing so: the job's idempotency key makes that once).
 */
export async function startRun(db: Db, input: StartRun): Promise<{ id: string; created: boolean }> {
  let run: { id: string; jobId: string | null };
  let created = true;
  try {
    run = await db.workflowRun.create({
      data: {
        projectId: input.projectId,
        workflowId: input.workflowId,
        versionId: input.versionId,
        trigger: input.trigger as Prisma.InputJsonValue,
        inputs: input.inputs as Prisma.InputJsonValue,
        triggerKey: input.triggerKey ?? null,
        createdByLabel: input.createdBy.label,
      },
      select: { id: true, jobId: true },
    });
  } catch (error) {
    if (!(input.triggerKey && error instanceof PrismaNs.PrismaClientKnownRequestError && error.code === "P2002"))
      throw error;
    run = await db.workflowRun.findUniqueOrThrow({
      where: { workflowId_triggerKey: { workflowId: input.workflowId, triggerKey: input.triggerKey } },
      select: { id: true, jobId: true },
    });
    created = false;
    if (run.jobId) return { id: run.id, created };
  }
  const job = await enqueueJob(db, workflowRunKind, {
    projectId: input.projectId,
    payload: { runId: run.id },
    subject: { type: "workflow_run", id: run.id },
    idempotencyKey: `workflow_run:${run.id}`,
    createdBy: input.createdBy,
  });
  await db.workflowRun.update({ where: { id: run.id }, data: { jobId: job.id } });
  return { id: run.id, created };
}

/** A manual run: `workflows:write`, inputs checked against the pinned version's declarations. */
export async function runWorkflow(deps: ServiceDeps, input: z.output<typeof runInput>) {
  const { db, caller } = deps;
  const workflow = await findWorkflow(db, caller.projectId, input.workflowId);
  const version = await db.workflowVersion.findFirst({
    where: { workflowId: workflow.id, ...(input.version ? { version: input.version } : {}) },
    orderBy: { version: "desc" },
  });
  if (!version)
    throw new DomainError(
      "NOT_FOUND",
      input.version
        ? `Workflow '${workflow.name}' has no version ${input.version}`
        : `Workflow '${workflow.name}' has no version`,
    );
  const definition = version.definition as unknown as WorkflowDefinition;
  const inputs = resolveInputs(definition.inputs, input.inputs);
  const { id } = await startRun(db, {
    workflowId: workflow.id,
    projectId: caller.projectId,
    versionId: version.id,
    trigger: { type: "manual", actor: caller.actor.label },
    inputs,
    createdBy: { userId: caller.actor.userId, label: caller.actor.label },
  });
  await recordAudit(db, caller.actor, {
    projectId: caller.projectId,
    action: "workflow.run",
    targetType: "workflow",
    targetId: workflow.id,
    summary: { name: workflow.name, version: version.version, runId: id },
  });
  return getRun(deps, { id });
}

async function findRun(db: Db, projectId: string, id: string) {
  const run = await db.workflowRun.findFirst({
    where: { id, projectId },
    include: {
      workflow: { select: { name: true } },
      version: { select: { version: true, source: true, definition: true } },
    },
  });
  if (!run) throw notFound("Workflow run", id);
  return run;
}

type RunRow = Awaited<ReturnType<typeof findRun>>;

const toRun = (r: Omit<RunRow, "version"> & { version: { version: number } }) => ({
  id: r.id,
  workflowId: r.workflowId,
  workflowName: r.workflow.name,
  version: r.version.version,
  status: r.status as "queued",
  trigger: r.trigger as Record<string, unknown>,
  inputs: r.inputs as Record<string, unknown>,
  error: r.error,
  jobId: r.jobId,
  createdByLabel: r.createdByLabel,
  createdAt: r.createdAt,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
});

export async function listRuns(deps: ProjectDeps, input: z.output<typeof listRunsInput>) {
  const rows = await deps.db.workflowRun.findMany({
    where: { projectId: deps.caller.projectId, ...(input.workflowId ? { workflowId: input.workflowId } : {}) },
    include: { workflow: { select: { name: true } }, version: { select: { version: true } } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit,
  });
  return rows.map(toRun);
}

/** A run with every step of its version: those not started yet are `pending`. */
export async function getRun(deps: ProjectDeps, { id }: z.output<typeof runIdInput>) {
  const run = await findRun(deps.db, deps.caller.projectId, id);
  const definition = run.version.definition as unknown as WorkflowDefinition;
  const rows = new Map((await deps.db.workflowStepRun.findMany({ where: { runId: id } })).map((s) => [s.stepId, s]));
  const steps = definition.order.map((stepId) => {
    const step = definition.steps[stepId];
    const row = rows.get(stepId);
    return {
      stepId,
      uses: step.uses,
      needs: step.needs,
      status: (row?.status ?? "pending") as "pending",
      attempts: row?.attempts ?? 0,
      maxAttempts: step.retry.attempts,
      outputs: (row?.outputs as Record<string, unknown> | null) ?? null,
      error: row?.error ?? null,
      logs: stepLogLine.array().safeParse(row?.logs).data ?? [],
      jobId: row?.jobId ?? null,
      startedAt: row?.startedAt ?? null,
      finishedAt: row?.finishedAt ?? null,
    };
  });
  return {
    ...toRun(run),
    outputs: (run.outputs as Record<string, unknown> | null) ?? null,
    steps,
    source: run.version.source,
  };
}

/**
 * Cancels a run: a queued one at once; a running one through its job (the engine cancels the steps' child jobs
 * and marks what did not finish `cancelled`). A finished run cannot be cancelled (409).
 */
export async function cancelRun(deps: ServiceDeps, { id }: z.output<typeof runIdInput>) {
  const { db, caller } = deps;
  const run = await findRun(db, caller.projectId, id);
  if (FINAL_RUN_STATUSES.includes(run.status)) throw new DomainError("CONFLICT", `The run is already ${run.status}`);
  const running = run.jobId ? await requestCancel(db, caller.projectId, run.jobId) : false;
  if (!running) {
    const now = new Date();
    await db.workflowRun.updateMany({
      where: { id, status: { in: ["queued", "running"] } },
      data: { status: "cancelled", finishedAt: now },
    });
    await db.workflowStepRun.updateMany({
      where: { runId: id, status: { in: ["pending", "running"] } },
      data: { status: "cancelled", finishedAt: now },
    });
  }
  await recordAudit(db, caller.actor, {
    projectId: caller.projectId,
    action: "workflow.run.cancel",
    targetType: "workflow",
    targetId: run.workflowId,
    summary: { runId: id },
  });
  return getRun(deps, { id });
}
