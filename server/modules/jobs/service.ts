import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { jobIdInput, listJobsInput } from "@/lib/jobs";
import { FINAL_JOB_STATES, type JobOut, jobLogLine } from "@/lib/jobs";
import type { Db } from "@/server/db";
import { DomainError, notFound } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import { recordAudit } from "@/server/modules/audit/service";
import type { ProjectDeps, ServiceDeps } from "@/server/modules/deps";
import { jobEngine } from "./engine";
import { sendToEngine } from "./enqueue";
import type { JobKind } from "./kinds";
import { registeredKind } from "./queues";

type Row = Prisma.JobGetPayload<object>;

const toJob = (j: Row): JobOut => ({
  id: j.id,
  kind: j.kind,
  state: j.state,
  subjectType: j.subjectType,
  subjectId: j.subjectId,
  idempotencyKey: j.idempotencyKey,
  attempts: j.attempts,
  maxAttempts: j.maxAttempts,
  progressDone: j.progressDone,
  progressTotal: j.progressTotal,
  lastError: j.lastError,
  worker: j.worker,
  createdByLabel: j.createdByLabel,
  createdAt: j.createdAt,
  startedAt: j.startedAt,
  finishedAt: j.finishedAt,
  updatedAt: j.updatedAt,
});

export async function listJobs(deps: ProjectDeps, input: z.output<typeof listJobsInput>) {
  const where: Prisma.JobWhereInput = {
    projectId: deps.caller.projectId,
    state: input.state,
    kind: input.kind,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
  };
  const rows = await deps.db.job.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
  });
  const items = rows.slice(0, input.limit).map(toJob);
  return { items, nextCursor: rows.length > input.limit ? items[items.length - 1].id : null };
}

async function findJob(db: Db, projectId: string | null, id: string): Promise<Row> {
  const row = await db.job.findFirst({ where: { id, projectId } });
  if (!row) throw notFound("Job", id);
  return row;
}

export async function getJob(deps: ProjectDeps, { id }: z.output<typeof jobIdInput>) {
  const row = await findJob(deps.db, deps.caller.projectId, id);
  const logs = jobLogLine.array().safeParse(row.logs);
  return { ...toJob(row), payload: row.payload, result: row.result, checkpoint: row.checkpoint, logs: logs.data ?? [] };
}

/**
 * Cancels a job: one not yet running is cancelled at once; a running one is asked to stop (its signal aborts
 * within a second, and it keeps what it finished). A finished job cannot be cancelled (409).
 */
export async function cancelJob(deps: ServiceDeps, { id }: z.output<typeof jobIdInput>): Promise<JobOut> {
  const { db, caller } = deps;
  const row = await findJob(db, caller.projectId, id);
  if (FINAL_JOB_STATES.includes(row.state)) throw new DomainError("CONFLICT", `The job is already ${row.state}`);
  await requestCancel(db, caller.projectId, id);
  await recordAudit(db, caller.actor, {
    projectId: caller.projectId,
    action: "job.cancel",
    targetType: "job",
    targetId: id,
    summary: { kind: row.kind },
  });
  return toJob(await findJob(db, caller.projectId, id));
}

/**
 * Asks a job to stop, for the module that owns what it works on (a batch's cancel). Returns true when it is
 * running (its worker stops it within a second), false when it was stopped here or had already finished.
 */
export async function requestCancel(db: Db, projectId: string, id: string): Promise<boolean> {
  const row = await findJob(db, projectId, id);
  if (FINAL_JOB_STATES.includes(row.state)) return false;
  if (row.state === "cancelling") return true;
  const now = new Date();
  const running = row.state === "running";
  // Conditional on the state read: a worker that starts it meanwhile sees cancel_requested_at and stops.
  const updated = await db.job.updateMany({
    where: { id, state: row.state },
    data: running
      ? { state: "cancelling", cancelRequestedAt: now }
      : { state: "cancelled", cancelRequestedAt: now, finishedAt: now },
  });
  if (updated.count === 0) return requestCancel(db, projectId, id);
  if (!running && row.engineJobId) {
    const boss = await jobEngine();
    await boss.cancel(row.kind, row.engineJobId).catch(() => {});
  }
  return running;
}

/** Runs a failed or cancelled job again, from its checkpoint, with a fresh set of attempts. */
export async function retryJob(
  deps: ServiceDeps,
  { id }: z.output<typeof jobIdInput>,
  kinds: readonly JobKind<never>[],
): Promise<JobOut> {
  const { db, caller } = deps;
  const row = await findJob(db, caller.projectId, id);
  if (row.state !== "failed" && row.state !== "cancelled")
    throw new DomainError("CONFLICT", `Only a failed or cancelled job can be retried; this one is ${row.state}`);
  const kind = kinds.find((k) => k.kind === row.kind) ?? registeredKind(row.kind);
  if (!kind) throw new DomainError("CONFLICT", `No worker runs jobs of kind ${row.kind}`);
  const engineJobId = randomUUID();
  const updated = await db.job.updateMany({
    where: { id, state: row.state },
    data: { state: "queued", attempts: 0, engineJobId, cancelRequestedAt: null, finishedAt: null },
  });
  if (updated.count === 0) throw new DomainError("CONFLICT", "The job changed meanwhile; reload and try again");
  // Read before sending: a worker woken by the send may start it at once, and the answer is the job as retried.
  const queued = await findJob(db, caller.projectId, id);
  await sendToEngine(kind, { jobId: id, projectId: row.projectId, engineJobId, maxAttempts: row.maxAttempts });
  await recordAudit(db, caller.actor, {
    projectId: caller.projectId,
    action: "job.retry",
    targetType: "job",
    targetId: id,
    summary: { kind: row.kind },
  });
  return toJob(queued);
}
