// The scheduler's tick: every worker process calls tickSchedules about once a second. Rules in README.md.
import { ZodError } from "zod";
import { FINAL_JOB_STATES } from "@/lib/jobs";
import { systemCaller } from "@/server/auth/caller";
import type { Db, DbTx } from "@/server/db";
import { DomainError } from "@/server/errors";
import { enqueueJob } from "@/server/modules/jobs/enqueue";
import { PermanentJobError } from "@/server/modules/jobs/kinds";
import { cancelJob } from "@/server/modules/jobs/service";
import { describeError } from "@/server/repeated-log";
import { ACTION_KINDS } from "./actions";
import { planFires } from "./plan";

/** Due schedules one tick claims at most (the rest wait for the next tick, or another worker takes them). */
const CLAIM_LIMIT = 50;
/** Runs kept per schedule (the newest); a once-a-second cron would otherwise add 86,400 rows a day. */
const RUNS_KEPT = 1000;

interface DueRow {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  concurrency: string;
  catch_up: string;
  next_run_at: Date;
}

interface NewRun {
  scheduleId: string;
  scheduledFor: Date;
  outcome: "started" | "skipped" | "missed";
  reason: string | null;
}

export interface TickResult {
  /** Schedules this tick advanced. */
  schedules: number;
  /** Runs it recorded, by outcome. */
  started: number;
  skipped: number;
  missed: number;
}

/**
 * Claims the schedules due at `now` (rows another worker holds are skipped, not waited for), records one run
 * per fire time, advances next_run_at, then starts the jobs of runs that have none yet. Safe to call from any
 * number of processes at once: a fire time is one row (unique per schedule), and its job has an idempotency key.
 */
export async function tickSchedules(db: Db, now: Date): Promise<TickResult> {
  const result: TickResult = { schedules: 0, started: 0, skipped: 0, missed: 0 };
  await db.$transaction(async (tx) => {
    const due = await tx.$queryRaw<DueRow[]>`
      SELECT id, name, cron, timezone, concurrency, catch_up, next_run_at FROM schedules
      WHERE paused = false AND next_run_at <= ${now}
      ORDER BY next_run_at LIMIT ${CLAIM_LIMIT} FOR UPDATE SKIP LOCKED`;
    for (const schedule of due) {
      const runs = await planRuns(tx, schedule, now);
      result.schedules += 1;
      for (const run of runs) result[run.outcome] += 1;
    }
  });
  await startPendingRuns(db);
  return result;
}

async function planRuns(tx: DbTx, schedule: DueRow, now: Date): Promise<NewRun[]> {
  let plan: ReturnType<typeof planFires>;
  try {
    plan = planFires(
      { cron: schedule.cron, timezone: schedule.timezone, catchUp: schedule.catch_up, nextRunAt: schedule.next_run_at },
      now,
    );
  } catch (error) {
    // Stored before a rule changed (or by hand): pause it rather than fail every tick.
    await tx.schedule.update({ where: { id: schedule.id }, data: { paused: true, nextRunAt: null } });
    console.error(`[switchyard] schedule ${schedule.id} paused: ${describeError(error)}`);
    return [];
  }
  const runs: NewRun[] = plan.missed.map((scheduledFor) => ({
    scheduleId: schedule.id,
    scheduledFor,
    outcome: "missed",
    reason: plan.dropped
      ? "Missed while nothing was running (older missed runs are not listed)"
      : "Missed while nothing was running",
  }));
  let going = schedule.concurrency === "forbid" ? await runStillGoing(tx, schedule.id) : null;
  for (const scheduledFor of plan.run) {
    if (going) {
      runs.push({ scheduleId: schedule.id, scheduledFor, outcome: "skipped", reason: going });
      continue;
    }
    runs.push({ scheduleId: schedule.id, scheduledFor, outcome: "started", reason: null });
    if (schedule.concurrency === "forbid") going = `The run of ${scheduledFor.toISOString()} is still going`;
  }
  if (runs.length > 0) {
    await tx.scheduleRun.createMany({ data: runs, skipDuplicates: true });
    await pruneRuns(tx, schedule.id);
  }
  const lastStarted = plan.run.at(-1);
  await tx.schedule.update({
    where: { id: schedule.id },
    data: { nextRunAt: plan.nextRunAt, ...(lastStarted ? { lastRunAt: lastStarted } : {}) },
  });
  return runs;
}

/** Forgets runs older than the newest RUNS_KEPT, except a started one whose job is not finished (forbid needs it). */
async function pruneRuns(tx: DbTx, scheduleId: string) {
  await tx.$executeRaw`
    DELETE FROM schedule_runs r
    WHERE r.schedule_id = ${scheduleId}::uuid
      AND r.scheduled_for <= (SELECT scheduled_for FROM schedule_runs WHERE schedule_id = ${scheduleId}::uuid
                              ORDER BY scheduled_for DESC OFFSET ${RUNS_KEPT} LIMIT 1)
      AND NOT (r.outcome = 'started' AND (r.job_id IS NULL OR EXISTS (
        SELECT 1 FROM jobs j WHERE j.id = r.job_id
          AND j.state::text NOT IN (${FINAL_JOB_STATES[0]}, ${FINAL_JOB_STATES[1]}, ${FINAL_JOB_STATES[2]}))))`;
}

/** Why a new run may not start under `forbid`: an earlier started run whose job is not finished (or not yet made). */
export async function runStillGoing(tx: DbTx | Db, scheduleId: string): Promise<string | null> {
  const [row] = await tx.$queryRaw<{ scheduled_for: Date; job_id: string | null; state: string | null }[]>`
    SELECT r.scheduled_for, r.job_id, j.state::text AS state FROM schedule_runs r
    LEFT JOIN jobs j ON j.id = r.job_id
    WHERE r.schedule_id = ${scheduleId}::uuid AND r.outcome = 'started'
      AND (r.job_id IS NULL OR j.state::text NOT IN (${FINAL_JOB_STATES[0]}, ${FINAL_JOB_STATES[1]}, ${FINAL_JOB_STATES[2]}))
    ORDER BY r.scheduled_for DESC LIMIT 1`;
  if (!row) return null;
  const what = row.job_id ? `job ${row.job_id} is ${row.state}` : "its job is being started";
  return `The run of ${row.scheduled_for.toISOString()} is still going (${what})`;
}

/**
 * Starts the job of every started run that has none yet, oldest first: the runs this tick recorded, and any a
 * process that died after recording them left behind. Under `replace`, the schedule's earlier unfinished jobs
 * are cancelled first (the jobs service's cancel: a running one stops within a second).
 */
export async function startPendingRuns(db: Db, onlyRunId?: string): Promise<void> {
  const pending = await db.scheduleRun.findMany({
    where: { outcome: "started", jobId: null, ...(onlyRunId ? { id: onlyRunId } : {}) },
    orderBy: { scheduledFor: "asc" },
    take: 200,
    include: { schedule: true },
  });
  for (const run of pending) {
    const { schedule } = run;
    const kind = ACTION_KINDS[schedule.action as keyof typeof ACTION_KINDS];
    const actor = { type: "system" as const, userId: null, keyId: null, label: `schedule ${schedule.name}` };
    try {
      if (!kind) throw new PermanentJobError(`No action named '${schedule.action}'`);
      if (schedule.concurrency === "replace") await cancelEarlierJobs(db, run, actor);
      const iso = run.scheduledFor.toISOString();
      const job = await enqueueJob(db, kind as never, {
        projectId: schedule.projectId,
        payload: { scheduleId: schedule.id, scheduledFor: iso, config: schedule.config } as never,
        subject: { type: "schedule", id: schedule.id },
        idempotencyKey: `schedule:${schedule.id}:${iso}`,
        createdBy: { userId: null, label: actor.label },
      });
      await db.scheduleRun.update({ where: { id: run.id }, data: { jobId: job.id } });
    } catch (error) {
      // A config the action refuses will never start: say so on the run. Anything else (the database, the
      // engine) is retried by the next tick.
      if (error instanceof ZodError || error instanceof PermanentJobError || error instanceof DomainError)
        await db.scheduleRun.update({
          where: { id: run.id },
          data: { outcome: "failed", reason: `Could not start: ${describeError(error)}` },
        });
      else if (onlyRunId) throw error;
      else console.error(`[switchyard] schedule run ${run.id}: ${describeError(error)}`);
    }
  }
}

async function cancelEarlierJobs(
  db: Db,
  run: { scheduleId: string; scheduledFor: Date; schedule: { projectId: string } },
  actor: { type: "system"; userId: null; keyId: null; label: string },
) {
  const earlier = await db.scheduleRun.findMany({
    where: {
      scheduleId: run.scheduleId,
      outcome: "started",
      scheduledFor: { lt: run.scheduledFor },
      jobId: { not: null },
    },
    select: { jobId: true },
  });
  const ids = earlier.map((r) => r.jobId).filter((id): id is string => id !== null);
  if (ids.length === 0) return;
  const unfinished = await db.job.findMany({
    where: { id: { in: ids }, state: { notIn: [...FINAL_JOB_STATES] } },
    select: { id: true },
  });
  const deps = { db, caller: systemCaller(run.schedule.projectId, actor) };
  for (const { id } of unfinished)
    await cancelJob(deps, { id }).catch((error) => {
      // Finished meanwhile: nothing to replace.
      if (!(error instanceof DomainError && error.code === "CONFLICT")) throw error;
    });
}
