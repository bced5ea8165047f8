// The `batch` job: validates the input against the batch, runs the lines not yet stored (a resumed attempt
// skips what an earlier one stored), stores results in small transactions as they finish, and finalizes.
import { setMaxListeners } from "node:events";
import { z } from "zod";
import type { Db } from "@/server/db";
import { defineJobKind, type JobContext, type JobStopped } from "@/server/modules/jobs/kinds";
import { finalizeBatch } from "./finalize";
import { readBatchLines } from "./io";
import { BatchGateway, type LineOutcome } from "./lines";
import { storeOutcomes } from "./store";
import { runUpstreamBatch } from "./upstream-mode";

const envNumber = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

/** Lines of one batch in flight at once (its share of the upstream; key limits apply on top). */
const concurrency = () => envNumber("SWITCHYARD_BATCH_CONCURRENCY", 32);
/** Results are stored every this many lines or FLUSH_MS, whichever comes first. */
const FLUSH_LINES = 200;
const FLUSH_MS = 250;

export const batchKind = defineJobKind({
  kind: "batch",
  payload: z.object({ batchId: z.string() }),
  perProject: envNumber("SWITCHYARD_BATCHES_PER_PROJECT", 2),
  perProcess: envNumber("SWITCHYARD_BATCHES_PER_WORKER", 4),
  maxAttempts: 5,
  // The engine allows a day per attempt at most; a longer window resumes in a new attempt where this one stopped.
  timeoutSeconds: 86_000,
  retryDelaySeconds: 2,
  run: runBatch,
});

async function runBatch(ctx: JobContext<{ batchId: string }>) {
  const { db } = ctx;
  const batch = await db.batch.findUnique({ where: { id: ctx.job.payload.batchId } });
  if (!batch || ["completed", "failed", "expired", "cancelled"].includes(batch.status)) return null;
  if (batch.status === "cancelling") return finalizeBatch(db, batch.id, "cancelled");
  if (batch.status === "validating") {
    const problem = await validate(db, batch);
    if (problem) return finalizeBatch(db, batch.id, "failed", problem);
    await db.batch.updateMany({
      where: { id: batch.id, status: "validating" },
      data: { status: "in_progress", inProgressAt: new Date() },
    });
  }
  const fresh = await db.batch.findUniqueOrThrow({ where: { id: batch.id } });
  if (fresh.status === "cancelling") return finalizeBatch(db, batch.id, "cancelled");
  if (fresh.mode === "upstream") {
    const outcome = await runUpstreamBatch(ctx, fresh);
    if (typeof outcome === "object")
      return finalizeBatch(db, batch.id, "failed", [
        { code: "upstream_mode", message: outcome.failed, line: 0, param: "metadata.switchyard_mode" },
      ]);
    return finalizeBatch(db, batch.id, outcome);
  }

  const done = new Set(
    (await db.batchItem.findMany({ where: { batchId: batch.id }, select: { line: true } })).map((r) => r.line),
  );
  ctx.progress(done.size, fresh.totalCount);
  if (done.size) ctx.log(`Resuming: ${done.size} of ${fresh.totalCount} lines were stored by an earlier attempt`);

  const expired = await runLines(ctx, fresh, done);
  if (expired) return finalizeBatch(db, batch.id, "expired");
  if (ctx.signal.aborted) {
    const why = (ctx.signal.reason as JobStopped | undefined)?.why;
    if (why === "cancelled") return finalizeBatch(db, batch.id, "cancelled");
    throw ctx.signal.reason;
  }
  return finalizeBatch(db, batch.id, "completed");
}

/** Returns true when the completion window ran out first. */
async function runLines(
  ctx: JobContext<{ batchId: string }>,
  batch: {
    id: string;
    projectId: string;
    apiKeyId: string | null;
    inputFileId: string;
    totalCount: number;
    expiresAt: Date | null;
  },
  done: Set<number>,
): Promise<boolean> {
  const gateway = new BatchGateway(ctx.db, batch);
  const stop = new AbortController();
  // Every line in flight listens on it (and stops listening when done): as many as the concurrency, not a leak.
  setMaxListeners(concurrency() + 16, stop.signal);
  const onAbort = () => stop.abort(ctx.signal.reason);
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const expiry = batch.expiresAt
    ? setTimeout(() => stop.abort(new Error("expired")), Math.max(0, batch.expiresAt.getTime() - Date.now()))
    : undefined;
  let stored = done.size;
  let pending: LineOutcome[] = [];
  let writing: Promise<void> = Promise.resolve();
  let failure: unknown;
  const flush = () => {
    if (pending.length === 0) return writing;
    const outcomes = pending;
    pending = [];
    writing = writing.then(async () => {
      stored += await storeOutcomes(batch.id, outcomes);
      ctx.progress(stored, batch.totalCount);
    });
    writing.catch((error) => {
      failure ??= error;
      stop.abort(error);
    });
    return writing;
  };
  const timer = setInterval(() => void flush(), FLUSH_MS);
  // A counting gate: at most concurrency() lines in flight; the reader waits for a free slot.
  let active = 0;
  let freed: (() => void) | null = null;
  let drained: (() => void) | null = null;
  const release = () => {
    active--;
    freed?.();
    freed = null;
    if (active === 0) drained?.();
  };
  try {
    for await (const line of readBatchLines(ctx.db, batch.projectId, batch.inputFileId)) {
      if (stop.signal.aborted) break;
      if (done.has(line.line)) continue;
      while (active >= concurrency()) await new Promise<void>((resolve) => (freed = resolve));
      if (stop.signal.aborted) break;
      active++;
      gateway
        .run(line, stop.signal)
        .then((outcome) => {
          if (!outcome) return;
          pending.push(outcome);
          if (pending.length >= FLUSH_LINES) void flush();
        })
        .catch((error) => {
          failure ??= error;
          stop.abort(error);
        })
        .finally(release);
    }
    if (active > 0) await new Promise<void>((resolve) => (drained = resolve));
    await flush();
    await writing;
  } finally {
    clearInterval(timer);
    clearTimeout(expiry);
    await gateway.close().catch(() => {});
    ctx.signal.removeEventListener("abort", onAbort);
  }
  if (failure) throw failure;
  return stop.signal.aborted && !ctx.signal.aborted;
}

/**
 * The lines must ask for the batch's endpoint (OpenAI fails the batch otherwise). The upload already made every
 * line of a file ask for one supported url and counted them (`/v1/files`), so the first line speaks for all.
 */
async function validate(db: Db, batch: { projectId: string; inputFileId: string; endpoint: string }) {
  for await (const line of readBatchLines(db, batch.projectId, batch.inputFileId)) {
    if (line.url === batch.endpoint) return null;
    return [
      {
        code: "mismatched_endpoint",
        message: `The file's lines ask for ${line.url}, not the batch's endpoint ${batch.endpoint}`,
        line: line.line,
        param: "url",
      },
    ];
  }
  return [{ code: "empty_file", message: "The input file has no requests", line: 0, param: "input_file_id" }];
}
