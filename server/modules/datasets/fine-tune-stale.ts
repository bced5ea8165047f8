// Fine-tuning jobs are run by external executors that claim them over REST and heart-beat with their progress
// (jobs.ts). An executor that dies leaves its job "running" forever; this system job, run every few minutes on
// the job runtime (server/job-kinds.ts SYSTEM_JOBS), puts such jobs back in the queue for another executor, or
// fails them once they have been reclaimed too often (an input that kills every executor should not loop).
import { z } from "zod";
import type { Db } from "@/server/db";
import { recordAudit } from "@/server/modules/audit/service";
import { defineJobKind } from "@/server/modules/jobs/kinds";

function minutesFromEnv(name: string, fallback: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a number > 0, not "${raw}"`);
  return value;
}

/** SWITCHYARD_FINETUNE_STALE_MINUTES (default 10): an executor silent this long is taken for dead. */
export const staleMinutes = () => minutesFromEnv("SWITCHYARD_FINETUNE_STALE_MINUTES", 10);
/** SWITCHYARD_FINETUNE_MAX_RECLAIMS (default 3): after this many reclaims the next stale one fails the job. */
const maxReclaims = () => Math.floor(minutesFromEnv("SWITCHYARD_FINETUNE_MAX_RECLAIMS", 3));

interface Reclaimed {
  id: string;
  project_id: string;
  executor: string | null;
  heartbeat_at: Date | null;
  reclaims: number;
  status: "queued" | "failed";
}

/**
 * One sweep over every project: each running job whose last heartbeat is older than the cutoff goes back to
 * `queued` (no executor, its progress and metrics kept for the record) or, past the reclaim limit, to `failed`.
 * One UPDATE decides each job, so an executor's heartbeat arriving meanwhile either lands first (the job is
 * not stale) or finds the job no longer running (409, and the executor stops).
 */
async function reclaimStaleFineTuneJobs(
  db: Db,
  options: { staleMinutes: number; maxReclaims: number },
): Promise<Reclaimed[]> {
  const rows = await db.$queryRaw<Reclaimed[]>`
    WITH stale AS (
      SELECT id, executor AS old_executor, heartbeat_at AS old_heartbeat FROM fine_tune_jobs
      WHERE status = 'running' AND coalesce(heartbeat_at, claimed_at, updated_at)
        < now() - make_interval(secs => ${options.staleMinutes * 60}::float8)
      FOR UPDATE SKIP LOCKED)
    UPDATE fine_tune_jobs j SET
      status = CASE WHEN j.reclaims >= ${options.maxReclaims}::int THEN 'failed'::"FineTuneStatus" ELSE 'queued'::"FineTuneStatus" END,
      error = CASE WHEN j.reclaims >= ${options.maxReclaims}::int
        THEN 'The executor stopped heart-beating ' || (j.reclaims + 1) || ' times; not retried again' ELSE j.error END,
      reclaims = CASE WHEN j.reclaims >= ${options.maxReclaims}::int THEN j.reclaims ELSE j.reclaims + 1 END,
      executor = NULL, claimed_at = NULL, updated_at = now()
    FROM stale WHERE j.id = stale.id
    RETURNING j.id, j.project_id, stale.old_executor AS executor, stale.old_heartbeat AS heartbeat_at,
      j.reclaims, j.status::text AS status`;
  return rows;
}

export const fineTuneStaleJob = defineJobKind({
  kind: "maintenance.fine_tune_stale",
  payload: z.object({}),
  perProject: 1,
  perProcess: 1,
  maxAttempts: 2,
  timeoutSeconds: 120,
  retryDelaySeconds: 30,
  async run(ctx) {
    const limits = { staleMinutes: staleMinutes(), maxReclaims: maxReclaims() };
    const rows = await reclaimStaleFineTuneJobs(ctx.db, limits);
    for (const row of rows) {
      const silent = `executor ${row.executor ?? "(none)"} silent since ${row.heartbeat_at?.toISOString() ?? "its claim"}`;
      ctx.log(
        row.status === "queued"
          ? `fine-tuning job ${row.id} (project ${row.project_id}): ${silent}; back in the queue (reclaim ${row.reclaims} of ${limits.maxReclaims})`
          : `fine-tuning job ${row.id} (project ${row.project_id}): ${silent}; failed after ${limits.maxReclaims} reclaims`,
        row.status === "queued" ? "warn" : "error",
      );
      // The project sees it in its audit log too: the system job's log belongs to no project.
      await recordAudit(
        ctx.db,
        { type: "system", userId: null, keyId: null, label: "stale fine-tuning sweep" },
        {
          projectId: row.project_id,
          action: row.status === "queued" ? "fineTune.reclaim" : "fineTune.fail",
          targetType: "fineTuneJob",
          targetId: row.id,
          summary: { executor: row.executor, reclaims: row.reclaims },
        },
      );
    }
    if (rows.length === 0) ctx.log(`no running fine-tuning job silent for ${limits.staleMinutes} min`);
    return {
      reclaimed: rows.filter((r) => r.status === "queued").length,
      failed: rows.filter((r) => r.status === "failed").length,
    };
  },
});
