import { randomBytes } from "node:crypto";
import { type BatchStatus, type CreateBatchInput, FINAL_BATCH_STATUSES, windowMs } from "@/lib/batches";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import { enqueueJob } from "@/server/modules/jobs/enqueue";
import { requestCancel } from "@/server/modules/jobs/service";
import { batchKind } from "./executor";
import { finalizeBatch } from "./finalize";
import { type BatchObject, toBatchObject } from "./wire";

export interface BatchDeps {
  db: Db;
  projectId: string;
  /** The key whose scopes, rate limits and budget every line runs under; null: the project itself (schedules). */
  apiKeyId: string | null;
  createdBy: { userId: string | null; label: string };
}

/**
 * `metadata.switchyard_mode`: `gateway` (the default: every line through our pipeline) or `upstream` (the whole
 * batch forwarded to the upstream's own Batch API; one OpenAI-compatible model for every line).
 */
function modeOf(metadata: Record<string, string> | null | undefined): "gateway" | "upstream" {
  const mode = metadata?.switchyard_mode;
  if (mode === undefined || mode === "gateway") return "gateway";
  if (mode === "upstream") return "upstream";
  throw new DomainError(
    "BAD_REQUEST",
    `Invalid 'metadata.switchyard_mode': '${mode}' is neither gateway nor upstream`,
    [{ path: "metadata.switchyard_mode", message: "Must be gateway or upstream" }],
  );
}

const newBatchId = () => `batch_${randomBytes(12).toString("hex")}`;

/** Creates a batch over an uploaded input file and queues its job; it is `validating` until a worker starts it. */
export async function createBatch(deps: BatchDeps, input: CreateBatchInput): Promise<BatchObject> {
  const { db, projectId } = deps;
  const file = await db.storedFile.findFirst({ where: { id: input.input_file_id, projectId, deletedAt: null } });
  if (!file)
    throw new DomainError("BAD_REQUEST", `Invalid 'input_file_id': '${input.input_file_id}'. File not found`, [
      { path: "input_file_id", message: "File not found" },
    ]);
  if (file.purpose !== "batch")
    throw new DomainError(
      "BAD_REQUEST",
      `Invalid 'input_file_id': '${input.input_file_id}' has purpose '${file.purpose}', not 'batch'`,
      [{ path: "input_file_id", message: "Must be a file uploaded with purpose 'batch'" }],
    );
  const id = newBatchId();
  const now = new Date();
  const created = await db.batch.create({
    data: {
      id,
      projectId,
      apiKeyId: deps.apiKeyId,
      endpoint: input.endpoint,
      inputFileId: file.id,
      completionWindow: input.completion_window,
      metadata: (input.metadata ?? undefined) as Prisma.InputJsonValue | undefined,
      totalCount: file.lineCount ?? 0,
      mode: modeOf(input.metadata),
      createdAt: now,
      expiresAt: new Date(now.getTime() + windowMs(input.completion_window)),
    },
  });
  const job = await enqueueJob(db, batchKind, {
    projectId,
    payload: { batchId: id },
    subject: { type: "batch", id },
    idempotencyKey: `batch:${id}`,
    createdBy: deps.createdBy,
  });
  await db.batch.update({ where: { id }, data: { jobId: job.id }, select: { id: true } });
  // The answer is the batch as created: a worker woken by the enqueue may already have moved it on, and the caller
  // reads later states by retrieving it (as with OpenAI, create always answers `validating`).
  return toBatchObject({ ...created, jobId: job.id });
}

async function findBatch(db: Db, projectId: string, id: string) {
  const batch = await db.batch.findFirst({ where: { id, projectId } });
  if (!batch) throw new DomainError("NOT_FOUND", `No batch found with id '${id}'`);
  return batch;
}

export async function retrieveBatch(db: Db, projectId: string, id: string): Promise<BatchObject> {
  return toBatchObject(await findBatch(db, projectId, id));
}

/** OpenAI's list: newest first, `after` = the last id of the previous page. */
export async function listBatches(db: Db, projectId: string, query: { after?: string; limit: number }) {
  let cursor: { createdAt: Date; id: string } | undefined;
  if (query.after) {
    const after = await db.batch.findFirst({
      where: { id: query.after, projectId },
      select: { createdAt: true, id: true },
    });
    if (!after) throw new DomainError("BAD_REQUEST", `Invalid 'after': no batch '${query.after}'`);
    cursor = after;
  }
  const rows = await db.batch.findMany({
    where: {
      projectId,
      ...(cursor
        ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.limit + 1,
  });
  const data = rows.slice(0, query.limit).map(toBatchObject);
  return {
    object: "list" as const,
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: rows.length > query.limit,
  };
}

/**
 * Cancels a batch: `cancelling` while its lines in flight finish (within a second or two), then `cancelled` with
 * the results produced so far in its output and error files. A batch that never started is cancelled at once.
 */
export async function cancelBatch(db: Db, projectId: string, id: string): Promise<BatchObject> {
  const batch = await findBatch(db, projectId, id);
  if (FINAL_BATCH_STATUSES.includes(batch.status as BatchStatus))
    throw new DomainError("CONFLICT", `Cannot cancel a batch with status '${batch.status}'`);
  if (batch.status !== "cancelling") {
    const moved = await db.batch.updateMany({
      where: { id, status: batch.status },
      data: { status: "cancelling", cancellingAt: new Date() },
    });
    if (moved.count === 0) return cancelBatch(db, projectId, id);
  }
  // A job not running now stops at once; the executor of a running one sees the request and finalizes.
  const running = batch.jobId ? await requestCancel(db, projectId, batch.jobId) : false;
  if (!running) await finalizeBatch(db, id, "cancelled");
  return retrieveBatch(db, projectId, id);
}
