import { z } from "zod";
import { createJobInput, jobHyperparameters } from "@/lib/dataset-forms";
import type { Db } from "@/server/db";
import { DomainError, notFound } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import { recordAudit } from "@/server/modules/audit/service";
import type { ProjectDeps, ServiceDeps } from "@/server/modules/deps";
import { createVersionInput } from "@/server/modules/models/schemas";
import { createVersion } from "@/server/modules/models/versions";

export { createJobInput };

/**
 * One progress report: `at` (ISO 8601) and `progress`, then the executor's metrics by name (loss, …).
 * The executor's names are spread last, so a metric may reuse `at` or `progress`.
 */
const metricsPoint = z.record(z.string(), z.union([z.string(), z.number()]));

export const jobOut = z.object({
  id: z.string(),
  status: z.enum(["queued", "running", "succeeded", "failed", "cancelled"]),
  baseModelVersionId: z.string(),
  datasetVersionId: z.string(),
  hyperparameters: jobHyperparameters,
  executor: z.string().nullable(),
  progress: z.number(),
  metrics: z.array(metricsPoint),
  error: z.string().nullable(),
  resultModelVersionId: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

type JobOut = z.infer<typeof jobOut>;
type JobRow = Awaited<ReturnType<Db["fineTuneJob"]["findFirstOrThrow"]>>;
const toJob = (j: JobRow): JobOut => ({
  id: j.id,
  status: j.status,
  baseModelVersionId: j.baseModelVersionId,
  datasetVersionId: j.datasetVersionId,
  hyperparameters: j.hyperparameters as JobOut["hyperparameters"],
  executor: j.executor,
  progress: j.progress,
  metrics: j.metrics as JobOut["metrics"],
  error: j.error,
  resultModelVersionId: j.resultModelVersionId,
  createdAt: j.createdAt,
  updatedAt: j.updatedAt,
});

export async function createJob(deps: ServiceDeps, input: z.output<typeof createJobInput>) {
  const { caller } = deps;
  const base = await deps.db.modelVersion.findFirst({
    where: { id: input.baseModelVersionId, model: { projectId: caller.projectId } },
  });
  if (!base) throw notFound("Base model version", input.baseModelVersionId);
  const data = await deps.db.datasetVersion.findFirst({
    where: { id: input.datasetVersionId, dataset: { projectId: caller.projectId } },
  });
  if (!data) throw notFound("Dataset version", input.datasetVersionId);
  return deps.db.$transaction(async (tx) => {
    const job = await tx.fineTuneJob.create({
      data: {
        projectId: caller.projectId,
        baseModelVersionId: base.id,
        datasetVersionId: data.id,
        hyperparameters: input.hyperparameters as Prisma.InputJsonValue,
        createdById: caller.actor.userId,
        createdByLabel: caller.actor.label,
      },
    });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: "fineTune.create",
      targetType: "fineTuneJob",
      targetId: job.id,
      summary: input,
    });
    return toJob(job);
  });
}

/** A job as the console lists it: what it trains, named ("support-bot v2", "tickets v3"). */
export const jobListItem = jobOut.extend({ baseModelLabel: z.string(), datasetLabel: z.string() });

export async function listJobs(deps: ProjectDeps) {
  const jobs = await deps.db.fineTuneJob.findMany({
    where: { projectId: deps.caller.projectId },
    orderBy: { createdAt: "desc" },
    take: 200,
  });
  const [bases, datasets] = await Promise.all([
    deps.db.modelVersion.findMany({
      where: { id: { in: jobs.map((j) => j.baseModelVersionId) } },
      select: { id: true, version: true, model: { select: { name: true } } },
    }),
    deps.db.datasetVersion.findMany({
      where: { id: { in: jobs.map((j) => j.datasetVersionId) } },
      select: { id: true, version: true, dataset: { select: { name: true } } },
    }),
  ]);
  const baseLabel = new Map(bases.map((v) => [v.id, `${v.model.name} v${v.version}`]));
  const dataLabel = new Map(datasets.map((v) => [v.id, `${v.dataset.name} v${v.version}`]));
  return jobs.map((j) => ({
    ...toJob(j),
    baseModelLabel: baseLabel.get(j.baseModelVersionId) ?? "(deleted)",
    datasetLabel: dataLabel.get(j.datasetVersionId) ?? "(deleted)",
  }));
}

/** Model versions a job can start from (newest first, bounded), named for a picker. */
export async function listBaseVersions(deps: ProjectDeps) {
  const versions = await deps.db.modelVersion.findMany({
    where: { model: { projectId: deps.caller.projectId } },
    orderBy: [{ createdAt: "desc" }],
    take: 200,
    select: { id: true, version: true, model: { select: { name: true } } },
  });
  return versions.map((v) => ({ id: v.id, label: `${v.model.name} v${v.version}` }));
}

/**
 * An executor (a GPU worker, a provider's fine-tuning API bridge) claims the
 * oldest queued job; SKIP LOCKED lets many executors poll without two
 * getting the same job. null when there is nothing to do.
 */
export async function claimJob(deps: ServiceDeps, { executor }: { executor: string }) {
  const { caller } = deps;
  return deps.db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM fine_tune_jobs WHERE project_id = ${caller.projectId}::uuid AND status = 'queued'
      ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED`;
    if (!rows[0]) return null;
    const job = await tx.fineTuneJob.update({
      where: { id: rows[0].id },
      data: { status: "running", executor, claimedAt: new Date(), heartbeatAt: new Date() },
    });
    return toJob(job);
  });
}

async function runningJob(db: Db, projectId: string, id: string, executor: string) {
  const job = await db.fineTuneJob.findFirst({ where: { id, projectId } });
  if (!job) throw notFound("Fine-tuning job", id);
  if (job.status !== "running") throw new DomainError("CONFLICT", `The job is ${job.status}`);
  if (job.executor !== executor) throw new DomainError("FORBIDDEN", `The job is claimed by ${job.executor}`);
  return job;
}

/** Progress (0..1) and training metrics from the executor; doubles as a heartbeat. */
export async function reportProgress(
  deps: ServiceDeps,
  input: { id: string; executor: string; progress: number; metrics?: Record<string, number> },
) {
  const { caller } = deps;
  const job = await runningJob(deps.db, caller.projectId, input.id, input.executor);
  const metrics = [
    ...(job.metrics as JobOut["metrics"]),
    ...(input.metrics ? [{ at: new Date().toISOString(), progress: input.progress, ...input.metrics }] : []),
  ];
  const updated = await deps.db.fineTuneJob.update({
    where: { id: job.id },
    data: {
      progress: Math.min(1, Math.max(0, input.progress)),
      heartbeatAt: new Date(),
      metrics: metrics as Prisma.InputJsonValue,
    },
  });
  return toJob(updated);
}

/**
 * The executor uploads the trained model as an artifact (POST
 * /api/rest/artifacts/upload) and completes the job with it: a new version
 * of the base model whose lineage names the base version, the dataset
 * version and this job.
 */
export async function completeJob(
  deps: ServiceDeps,
  input: { id: string; executor: string; artifactId?: string; error?: string },
) {
  const { caller } = deps;
  const job = await runningJob(deps.db, caller.projectId, input.id, input.executor);
  if (input.error) {
    return toJob(
      await deps.db.fineTuneJob.update({
        where: { id: job.id },
        data: { status: "failed", error: input.error.slice(0, 2000) },
      }),
    );
  }
  if (!input.artifactId)
    throw new DomainError("VALIDATION", "Give the trained artifact or an error", [
      { path: "artifactId", message: "Required" },
    ]);
  const base = await deps.db.modelVersion.findUniqueOrThrow({ where: { id: job.baseModelVersionId } });
  const version = await createVersion(
    deps,
    createVersionInput.parse({
      modelId: base.modelId,
      artifactId: input.artifactId,
      baseVersionId: base.id,
      datasetVersionId: job.datasetVersionId,
      fineTuneJobId: job.id,
      source: `fine-tuned by ${input.executor}`,
      notes: `Fine-tuning job ${job.id}`,
    }),
  );
  return toJob(
    await deps.db.fineTuneJob.update({
      where: { id: job.id },
      data: { status: "succeeded", progress: 1, resultModelVersionId: version.id },
    }),
  );
}
