// The system's own recurring work (rollout analysis every 10 s, workflow triggers every minute, hourly
// maintenance) leaves a `jobs` row per run: ~10,000 a day. Finished ones are dropped after a while so the table
// (and the Jobs page) stays about what people do. Project jobs are kept: batches, eval runs and schedules link
// to theirs.
import { z } from "zod";
import type { Db } from "@/server/db";
import { defineJobKind } from "./kinds";

function hoursFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Deletes finished system jobs: succeeded or cancelled after a day, failed after a week (they explain outages). */
export async function pruneSystemJobs(db: Db, now = new Date()): Promise<number> {
  const done = hoursFromEnv("SWITCHYARD_SYSTEM_JOBS_KEEP_HOURS", 24);
  const failed = hoursFromEnv("SWITCHYARD_SYSTEM_JOBS_KEEP_FAILED_HOURS", 168);
  const doneBefore = new Date(now.getTime() - done * 3_600_000);
  const failedBefore = new Date(now.getTime() - failed * 3_600_000);
  return db.$executeRaw`
    DELETE FROM jobs
    WHERE project_id IS NULL
      AND ((state IN ('succeeded', 'cancelled') AND finished_at < ${doneBefore})
        OR (state = 'failed' AND finished_at < ${failedBefore}))`;
}

export const systemJobsPruneJob = defineJobKind({
  kind: "maintenance.jobs",
  payload: z.object({}),
  perProject: 1,
  perProcess: 1,
  maxAttempts: 3,
  timeoutSeconds: 600,
  retryDelaySeconds: 60,
  async run(ctx) {
    const deleted = await pruneSystemJobs(ctx.db);
    ctx.log(`finished system jobs deleted: ${deleted}`);
    return { deleted };
  },
});
