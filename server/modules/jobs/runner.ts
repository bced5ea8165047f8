// Runs one attempt of one job: the engine (pg-boss) hands us its job, whose
// data names our row; the row says what to run and where to resume.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Job as EngineJob } from "pg-boss";
import type { Db } from "@/server/db";
import type { Prisma } from "@/server/generated/prisma/client";
import { describeError } from "@/server/repeated-log";
import { sendToEngine } from "./enqueue";
import { type JobContext, type JobKind, JobStopped, PermanentJobError } from "./kinds";

export const WORKER_NAME = `${hostname()}:${process.pid}`;
const FINAL = new Set(["succeeded", "failed", "cancelled"]);
const MAX_LOG_LINES = 200;
const PROGRESS_EVERY_MS = 500;
const CANCEL_POLL_MS = Number(process.env.SWITCHYARD_JOBS_CANCEL_POLL_MS ?? 1000);

export interface AttemptOptions {
  db: Db;
  /** Aborted when the worker process shuts down. */
  shutdown: AbortSignal;
}

/**
 * One attempt. Returns normally when the engine should not run it again (done, cancelled, failed for good,
 * or a stale delivery); throws when it should retry after its backoff.
 */
export async function runAttempt<P>(
  kind: JobKind<P>,
  engineJob: EngineJob<{ jobId: string }>,
  { db, shutdown }: AttemptOptions,
): Promise<void> {
  const row = await db.job.findUnique({ where: { id: engineJob.data.jobId } });
  // Gone, finished, or handed to a newer engine job (a manual retry): nothing to do.
  if (!row || FINAL.has(row.state) || (row.engineJobId && row.engineJobId !== engineJob.id)) return;
  if (row.cancelRequestedAt) {
    await finish(db, row.id, { state: "cancelled" });
    return;
  }
  const parsed = kind.payload.safeParse(row.payload);
  if (!parsed.success) {
    // Retrying cannot make it valid: fail it now, saying why.
    await finish(db, row.id, { state: "failed", lastError: `The job's payload is not valid: ${parsed.error.message}` });
    return;
  }
  const attempt = row.attempts + 1;
  if (!(await claimSlot(db, kind, row, attempt))) {
    // The project already runs its share of this kind (the engine's group limit is checked without a lock, so
    // two workers can both pass it): hand the job back for a moment, spending no attempt.
    const engineJobId = randomUUID();
    await db.job.update({ where: { id: row.id }, data: { engineJobId } });
    await sendToEngine(kind, {
      jobId: row.id,
      projectId: row.projectId,
      engineJobId,
      maxAttempts: Math.max(1, row.maxAttempts - row.attempts),
      startAfter: new Date(Date.now() + 1000),
    });
    return;
  }

  const controller = new AbortController();
  let why: JobStopped["why"] | undefined;
  const stop = (reason: JobStopped["why"]) => {
    if (why) return;
    why = reason;
    controller.abort(new JobStopped(reason));
  };
  const onShutdown = () => stop("shutdown");
  shutdown.addEventListener("abort", onShutdown, { once: true });
  const timeout = setTimeout(() => stop("timeout"), kind.timeoutSeconds * 1000);
  const reporter = new Reporter(db, row.id, Array.isArray(row.logs) ? (row.logs as LogLine[]) : []);
  const cancelPoll = setInterval(() => {
    db.job
      .findUnique({ where: { id: row.id }, select: { cancelRequestedAt: true } })
      .then((r) => {
        if (r?.cancelRequestedAt) stop("cancelled");
      })
      .catch(() => {});
  }, CANCEL_POLL_MS);

  const ctx: JobContext<P> = {
    job: {
      id: row.id,
      projectId: row.projectId,
      kind: row.kind,
      payload: parsed.data,
      attempt,
      checkpoint: row.checkpoint ?? null,
      subjectType: row.subjectType,
      subjectId: row.subjectId,
    },
    db,
    signal: controller.signal,
    progress: (done, total) => reporter.progress(done, total),
    checkpoint: async (value) => {
      await db.job.update({ where: { id: row.id }, data: { checkpoint: value as Prisma.InputJsonValue } });
    },
    log: (message, level = "info") => reporter.log(level, message),
  };

  try {
    if (attempt > 1) reporter.log("info", `Attempt ${attempt} of ${row.maxAttempts}`);
    const result = await kind.run(ctx);
    await reporter.flush();
    if (why === "cancelled") await finish(db, row.id, { state: "cancelled" });
    else await finish(db, row.id, { state: "succeeded", result: (result ?? null) as Prisma.InputJsonValue });
  } catch (error) {
    await reporter.flush().catch(() => {});
    const message = why ? new JobStopped(why).message : describeError(error);
    if (why === "cancelled") {
      await finish(db, row.id, { state: "cancelled" });
      return;
    }
    if (why === "shutdown") {
      // Not the job's fault: the next worker resumes it from its checkpoint, without spending an attempt.
      await db.job.update({ where: { id: row.id }, data: { state: "retrying", attempts: attempt - 1 } });
      throw error;
    }
    reporter.log("error", message);
    await reporter.flush().catch(() => {});
    if (error instanceof PermanentJobError || attempt >= row.maxAttempts) {
      await finish(db, row.id, { state: "failed", lastError: message });
      return;
    }
    await db.job.update({ where: { id: row.id }, data: { state: "retrying", lastError: message } });
    throw error;
  } finally {
    clearTimeout(timeout);
    clearInterval(cancelPoll);
    shutdown.removeEventListener("abort", onShutdown);
  }
}

/** Starts the attempt if the project runs fewer than `perProject` jobs of this kind (serialised per kind+project). */
async function claimSlot(
  db: Db,
  kind: JobKind<never> | JobKind<unknown>,
  row: { id: string; projectId: string | null; startedAt: Date | null },
  attempt: number,
) {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${kind.kind}), hashtext(${row.projectId ?? "system"}))`;
    const busy = await tx.job.count({
      where: {
        projectId: row.projectId,
        kind: kind.kind,
        state: { in: ["running", "cancelling"] },
        id: { not: row.id },
      },
    });
    if (busy >= kind.perProject) return false;
    await tx.job.update({
      where: { id: row.id },
      data: { state: "running", attempts: attempt, startedAt: row.startedAt ?? new Date(), worker: WORKER_NAME },
    });
    return true;
  });
}

async function finish(
  db: Db,
  id: string,
  data: { state: "succeeded" | "failed" | "cancelled"; result?: Prisma.InputJsonValue; lastError?: string },
) {
  await db.job.update({ where: { id }, data: { ...data, finishedAt: new Date(), worker: null } });
}

type LogLine = { at: string; level: "info" | "warn" | "error"; message: string };

/** Batches progress and log writes: at most one update every PROGRESS_EVERY_MS. */
class Reporter {
  private done?: number;
  private total?: number;
  private dirty = false;
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly id: string,
    private logs: LogLine[],
  ) {}

  progress(done: number, total?: number) {
    this.done = done;
    if (total !== undefined) this.total = total;
    this.schedule();
  }

  log(level: LogLine["level"], message: string) {
    this.logs = [...this.logs, { at: new Date().toISOString(), level, message: message.slice(0, 2000) }].slice(
      -MAX_LOG_LINES,
    );
    this.schedule();
  }

  private schedule() {
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch(() => {});
    }, PROGRESS_EVERY_MS);
  }

  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.dirty) return this.writing;
    this.dirty = false;
    const data: Prisma.JobUpdateInput = { logs: this.logs };
    if (this.done !== undefined) data.progressDone = this.done;
    if (this.total !== undefined) data.progressTotal = this.total;
    this.writing = this.writing.then(() => this.db.job.update({ where: { id: this.id }, data }).then(() => {}));
    return this.writing;
  }
}
