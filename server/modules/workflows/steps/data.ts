// dataset_transform, fine_tune, export and batch: the existing services, called with the run's caller.
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { FINAL_BATCH_STATUSES } from "@/lib/batches";
import { createJobInput } from "@/lib/dataset-forms";
import { createBatch } from "@/server/modules/batches/service";
import { createJob } from "@/server/modules/datasets/jobs";
import { transformInput } from "@/server/modules/datasets/schemas";
import { exportVersion } from "@/server/modules/datasets/service";
import { transformDataset } from "@/server/modules/datasets/transform";
import { createStoredFile } from "@/server/modules/files/service";
import { StepFailed, type StepRun } from "./types";
import { waitFor, waitForJob } from "./wait";

export const datasetTransformStep: StepRun = async (ctx) => {
  let jobId = ctx.previous.jobId;
  if (!jobId) {
    const input = transformInput.parse({
      operation: ctx.with.operation,
      versionId: ctx.with.version_id,
      ...((ctx.with.options as Record<string, unknown> | undefined) ?? {}),
    });
    const out = await transformDataset({ db: ctx.db, caller: ctx.caller }, input);
    if (out.job === null) {
      ctx.log(`Wrote dataset version ${out.version} (${out.exampleCount} examples)`);
      return { version_id: out.id, version: out.version, example_count: out.exampleCount };
    }
    jobId = out.job.id;
    await ctx.attach({}, jobId);
    ctx.log(`The transform runs as job ${jobId}`);
  }
  const job = await waitForJob(ctx, jobId);
  if (job.state !== "succeeded") throw new Error(`The transform job ${job.state}: ${job.lastError ?? ""}`);
  const result = job.result as { versionId: string; version: number; exampleCount: number };
  return { version_id: result.versionId, version: result.version, example_count: result.exampleCount };
};

const FINAL_FINE_TUNE = ["succeeded", "failed", "cancelled"];

export const fineTuneStep: StepRun = async (ctx) => {
  let id = ctx.previous.outputs?.fine_tune_id as string | undefined;
  if (!id) {
    const input = createJobInput.parse({
      baseModelVersionId: ctx.with.base_model_version_id,
      datasetVersionId: ctx.with.dataset_version_id,
      hyperparameters: ctx.with.hyperparameters ?? {},
    });
    id = (await createJob({ db: ctx.db, caller: ctx.caller }, input)).id;
    await ctx.attach({ fine_tune_id: id });
    ctx.log(`Created fine-tuning job ${id}`);
  }
  if (!ctx.with.wait) return { fine_tune_id: id, status: "queued", result_model_version_id: null };
  const jobId = id;
  const job = await waitFor(
    ctx,
    () =>
      ctx.db.fineTuneJob.findUniqueOrThrow({
        where: { id: jobId },
        select: { status: true, resultModelVersionId: true, error: true },
      }),
    (j) => FINAL_FINE_TUNE.includes(j.status),
    null,
  );
  const outputs = { fine_tune_id: id, status: job.status, result_model_version_id: job.resultModelVersionId };
  if (job.status !== "succeeded")
    throw new StepFailed(`The fine-tuning job ${job.status}: ${job.error ?? ""}`, outputs);
  return outputs;
};

export const exportStep: StepRun = async (ctx) => {
  const split = ctx.with.split ? String(ctx.with.split) : undefined;
  const { version, stream } = await exportVersion(
    { db: ctx.db, caller: ctx.caller },
    { versionId: String(ctx.with.dataset_version_id), split },
  );
  const dir = await mkdtemp(path.join(tmpdir(), "switchyard-export-"));
  try {
    const file = path.join(dir, "export.jsonl");
    await pipeline(Readable.fromWeb(stream as WebReadableStream<Uint8Array>), createWriteStream(file), {
      signal: ctx.signal,
    });
    const stored = await createStoredFile(ctx.db, {
      projectId: ctx.projectId,
      apiKeyId: null,
      purpose: String(ctx.with.purpose ?? "fine-tune"),
      filename: `dataset-v${version.version}${split ? `-${split}` : ""}.jsonl`,
      source: { path: file },
    });
    ctx.log(`Exported dataset version ${version.version} to file ${stored.id}`);
    return { file_id: stored.id, bytes: (await stat(file)).size };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

export const batchStep: StepRun = async (ctx) => {
  let batchId = ctx.previous.outputs?.batch_id as string | undefined;
  if (!batchId) {
    const batch = await createBatch(
      {
        db: ctx.db,
        projectId: ctx.projectId,
        apiKeyId: null,
        createdBy: { userId: null, label: ctx.caller.actor.label },
      },
      {
        input_file_id: String(ctx.with.input_file_id),
        endpoint: ctx.with.endpoint as "/v1/chat/completions",
        completion_window: "24h",
      },
    );
    batchId = batch.id;
    const row = await ctx.db.batch.findUniqueOrThrow({ where: { id: batchId }, select: { jobId: true } });
    await ctx.attach({ batch_id: batchId }, row.jobId);
    ctx.log(`Started batch ${batchId}`);
  }
  const id = batchId;
  const jobId = (await ctx.db.batch.findUniqueOrThrow({ where: { id }, select: { jobId: true } })).jobId;
  const batch = await waitFor(
    ctx,
    () => ctx.db.batch.findUniqueOrThrow({ where: { id } }),
    (b) => FINAL_BATCH_STATUSES.includes(b.status),
    jobId,
  );
  const outputs = {
    batch_id: id,
    status: batch.status,
    output_file_id: batch.outputFileId,
    error_file_id: batch.errorFileId,
    completed: batch.completedCount,
    failed: batch.failedCount,
  };
  if (batch.status !== "completed") throw new StepFailed(`The batch ${batch.status}`, outputs);
  return outputs;
};
