// The prompt-over-dataset action: the dataset version's rows become a batch (server/modules/batches) running
// `prompt:NAME@label`; the job waits for it and keeps the outputs as a new version of the same dataset, or as
// the batch's output file. The rows <-> lines logic is pure, in prompt-over-dataset-lines.ts.
import { createInterface } from "node:readline";
import { setTimeout as wait } from "node:timers/promises";
import { FINAL_BATCH_STATUSES } from "@/lib/batches";
import { promptOverDatasetConfig } from "@/lib/schedules";
import { systemCaller } from "@/server/auth/caller";
import type { Db } from "@/server/db";
import { cancelBatch, createBatch, retrieveBatch } from "@/server/modules/batches/service";
import { importQuery } from "@/server/modules/datasets/schemas";
import { importDataset } from "@/server/modules/datasets/service";
import { readExamples } from "@/server/modules/datasets/versions";
import { createStoredFile, openStoredFile } from "@/server/modules/files/service";
import { defineJobKind, type JobContext, PermanentJobError } from "@/server/modules/jobs/kinds";
import { scheduledRun } from "./payload";
import { batchInputLines, outputRows, type PositionedExample } from "./prompt-over-dataset-lines";

const payload = scheduledRun(promptOverDatasetConfig);
type Payload = ReturnType<typeof payload.parse>;
const POLL_MS = Number(process.env.SWITCHYARD_SCHEDULE_BATCH_POLL_MS ?? 1000);

export const promptOverDatasetAction = defineJobKind({
  kind: "schedule.prompt_over_dataset",
  payload,
  perProject: 2,
  perProcess: 4,
  maxAttempts: 3,
  timeoutSeconds: 86_000,
  retryDelaySeconds: 30,
  run: runPromptOverDataset,
});

async function runPromptOverDataset(ctx: JobContext<Payload>) {
  const { db } = ctx;
  const { config, scheduleId } = ctx.job.payload;
  const projectId = ctx.job.projectId;
  if (!projectId) throw new PermanentJobError("A schedule's job belongs to a project");
  const version = await db.datasetVersion.findFirst({
    where: { id: config.datasetVersionId, dataset: { projectId } },
    select: { id: true, datasetId: true, version: true },
  });
  if (!version) throw new PermanentJobError(`Dataset version ${config.datasetVersionId} is gone`);
  const rows: PositionedExample[] = [];
  for await (const stored of readExamples(db, version.id))
    rows.push({ position: rows.length, example: stored.example });
  if (rows.length === 0) throw new PermanentJobError(`Dataset version v${version.version} has no rows`);

  // A resumed attempt waits for the batch the first one created rather than starting another.
  let batchId = (ctx.job.checkpoint as { batchId?: string } | null)?.batchId;
  if (!batchId) {
    const input = await createStoredFile(db, {
      projectId,
      apiKeyId: null,
      purpose: "batch",
      filename: "schedule-input.jsonl",
      source: `${batchInputLines(rows, config).join("\n")}\n`,
    });
    const inputFileId = input.id;
    const created = await createBatch(
      { db, projectId, apiKeyId: null, createdBy: { userId: null, label: `schedule ${scheduleId}` } },
      {
        input_file_id: inputFileId,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
        metadata: { schedule_id: scheduleId, job_id: ctx.job.id },
      },
    );
    batchId = created.id;
    await ctx.checkpoint({ batchId });
    ctx.log(`Batch ${batchId}: ${rows.length} rows through prompt:${config.prompt}@${config.label}`);
  }
  const batch = await waitForBatch(ctx, projectId, batchId);
  if (batch.status !== "completed") throw new PermanentJobError(`Batch ${batchId} ended ${batch.status}`);
  if (config.output === "file")
    return { batchId, outputFileId: batch.output_file_id, errorFileId: batch.error_file_id };

  const lines = [
    ...(await readStoredLines(db, projectId, batch.output_file_id)),
    ...(await readStoredLines(db, projectId, batch.error_file_id)),
  ];
  const { examples, failed } = outputRows(rows, lines);
  if (failed.length)
    ctx.log(`${failed.length} rows got no reply (first: ${failed[0].customId}, ${failed[0].message})`, "warn");
  if (examples.length === 0) throw new PermanentJobError(`No row got a reply; see batch ${batchId}'s error file`);
  const actor = { type: "system" as const, userId: null, keyId: null, label: `schedule ${scheduleId}` };
  const jsonl = new TextEncoder().encode(`${examples.map((e) => JSON.stringify(e)).join("\n")}\n`);
  const imported = await importDataset(
    { db, caller: systemCaller(projectId, actor) },
    { ...importQuery.parse({ datasetId: version.datasetId, format: "chat" }), source: [jsonl] },
  );
  ctx.log(`Stored ${examples.length} rows as v${imported.version.version}`);
  return { batchId, datasetVersionId: imported.version.id, rows: examples.length, failed: failed.length };
}

/** Polls the batch, reporting its progress; a cancelled job cancels the batch (which keeps what it finished). */
async function waitForBatch(ctx: JobContext<Payload>, projectId: string, batchId: string) {
  for (;;) {
    const batch = await retrieveBatch(ctx.db, projectId, batchId);
    const counts = batch.request_counts;
    ctx.progress(counts.completed + counts.failed, counts.total);
    if ((FINAL_BATCH_STATUSES as readonly string[]).includes(batch.status)) return batch;
    try {
      await wait(POLL_MS, undefined, { signal: ctx.signal });
    } catch (error) {
      await cancelBatch(ctx.db, projectId, batchId).catch(() => {});
      throw error;
    }
  }
}

/** Reads a stored file's lines (none for no file). */
async function readStoredLines(db: Db, projectId: string, fileId: string | null): Promise<string[]> {
  if (!fileId) return [];
  const { stream } = await openStoredFile(db, projectId, fileId);
  const lines: string[] = [];
  for await (const line of createInterface({ input: stream(), crlfDelay: Number.POSITIVE_INFINITY })) lines.push(line);
  return lines;
}
