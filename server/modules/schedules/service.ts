import type { z } from "zod";
import { describeCron } from "@/lib/cron-description";
import type { JobStateName } from "@/lib/jobs";
import {
  ACTION_CONFIGS,
  type createScheduleInput,
  type listSchedulesInput,
  type RUN_OUTCOMES,
  type ScheduleOut,
  type ScheduleRunOut,
  type scheduleIdInput,
  type updateScheduleInput,
} from "@/lib/schedules";
import type { Db, DbTx } from "@/server/db";
import { DomainError, mapPrismaError, notFound } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import { recordAudit } from "@/server/modules/audit/service";
import type { ProjectDeps, ServiceDeps } from "@/server/modules/deps";
import { nextFireAfter, upcomingFires } from "./plan";
import { runStillGoing, startPendingRuns } from "./tick";

const RECENT_RUNS = 50;
type ScheduleRow = Prisma.ScheduleGetPayload<object>;
type RunRow = Prisma.ScheduleRunGetPayload<object> & { jobState?: JobStateName | null };

const toRun = (r: RunRow): ScheduleRunOut => ({
  id: r.id,
  scheduledFor: r.scheduledFor,
  outcome: r.outcome as (typeof RUN_OUTCOMES)[number],
  reason: r.reason,
  jobId: r.jobId,
  jobState: r.jobState ?? null,
  createdAt: r.createdAt,
});

const toSchedule = (s: ScheduleRow, lastRun: RunRow | null): ScheduleOut => ({
  id: s.id,
  name: s.name,
  cron: s.cron,
  timezone: s.timezone,
  description: describeCron(s.cron),
  concurrency: s.concurrency as ScheduleOut["concurrency"],
  catchUp: s.catchUp as ScheduleOut["catchUp"],
  action: s.action as ScheduleOut["action"],
  config: (s.config ?? {}) as Record<string, unknown>,
  paused: s.paused,
  nextRunAt: s.nextRunAt,
  lastRunAt: s.lastRunAt,
  lastRun: lastRun ? toRun(lastRun) : null,
  createdByLabel: s.createdByLabel,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

/** Adds each run's job state (jobs are not a relation of runs: a job outlives a deleted schedule). */
async function withJobStates(db: Db, runs: Prisma.ScheduleRunGetPayload<object>[]): Promise<RunRow[]> {
  const ids = runs.map((r) => r.jobId).filter((id): id is string => id !== null);
  const jobs = ids.length
    ? await db.job.findMany({ where: { id: { in: ids } }, select: { id: true, state: true } })
    : [];
  const states = new Map(jobs.map((j) => [j.id, j.state]));
  return runs.map((r) => ({ ...r, jobState: r.jobId ? (states.get(r.jobId) ?? null) : null }));
}

async function findSchedule(db: Db | DbTx, projectId: string, id: string): Promise<ScheduleRow> {
  const row = await db.schedule.findFirst({ where: { id, projectId } });
  if (!row) throw notFound("Schedule", id);
  return row;
}

export async function listSchedules(deps: ProjectDeps, input: z.output<typeof listSchedulesInput>) {
  const rows = await deps.db.schedule.findMany({
    where: { projectId: deps.caller.projectId, paused: input.paused },
    orderBy: { name: "asc" },
    take: 500,
  });
  const lastRuns = rows.length
    ? await deps.db.$queryRaw<{ id: string }[]>`
        SELECT DISTINCT ON (schedule_id) id FROM schedule_runs
        WHERE schedule_id = ANY(${rows.map((r) => r.id)}::uuid[]) ORDER BY schedule_id, scheduled_for DESC`
    : [];
  const runs = await withJobStates(
    deps.db,
    await deps.db.scheduleRun.findMany({ where: { id: { in: lastRuns.map((r) => r.id) } } }),
  );
  const bySchedule = new Map(runs.map((r) => [r.scheduleId, r]));
  return { items: rows.map((s) => toSchedule(s, bySchedule.get(s.id) ?? null)) };
}

export async function getSchedule(deps: ProjectDeps, { id }: z.output<typeof scheduleIdInput>) {
  const row = await findSchedule(deps.db, deps.caller.projectId, id);
  const runs = await withJobStates(
    deps.db,
    await deps.db.scheduleRun.findMany({
      where: { scheduleId: id },
      orderBy: [{ scheduledFor: "desc" }, { createdAt: "desc" }],
      take: RECENT_RUNS,
    }),
  );
  const upcoming = row.paused ? [] : upcomingFires(row.cron, row.timezone, new Date(), 5);
  return { ...toSchedule(row, runs[0] ?? null), upcoming, runs: runs.map(toRun) };
}

/** What an action's config names must exist in the project (a dataset version, a prompt). */
async function checkConfigTargets(db: Db, projectId: string, action: string, config: Record<string, unknown>) {
  const settings = ACTION_CONFIGS[action as keyof typeof ACTION_CONFIGS].parse(config);
  if (!("datasetVersionId" in settings)) return settings;
  const version = await db.datasetVersion.findFirst({
    where: { id: settings.datasetVersionId, dataset: { projectId } },
    select: { id: true },
  });
  if (!version)
    throw new DomainError("VALIDATION", `Dataset version '${settings.datasetVersionId}' is not in this project`, [
      { path: "config.datasetVersionId", message: "No such dataset version in this project" },
    ]);
  const prompt = await db.prompt.findFirst({ where: { projectId, name: settings.prompt }, select: { id: true } });
  if (!prompt)
    throw new DomainError("VALIDATION", `There is no prompt named '${settings.prompt}'`, [
      { path: "config.prompt", message: "No prompt by this name" },
    ]);
  return settings;
}

const audit = (deps: ServiceDeps, tx: DbTx, action: string, s: { id: string; name: string }, summary = {}) =>
  recordAudit(tx, deps.caller.actor, {
    projectId: deps.caller.projectId,
    action: `schedule.${action}`,
    targetType: "schedule",
    targetId: s.id,
    summary: { name: s.name, ...summary },
  });

export async function createSchedule(deps: ServiceDeps, input: z.output<typeof createScheduleInput>) {
  const { db, caller } = deps;
  const config = await checkConfigTargets(db, caller.projectId, input.action, input.config);
  const nextRunAt = input.paused ? null : nextFireAfter(input.cron, input.timezone, new Date());
  const created = await db
    .$transaction(async (tx) => {
      const row = await tx.schedule.create({
        data: {
          projectId: caller.projectId,
          name: input.name,
          cron: input.cron,
          timezone: input.timezone,
          concurrency: input.concurrency,
          catchUp: input.catchUp,
          action: input.action,
          config: config as Prisma.InputJsonValue,
          paused: input.paused,
          nextRunAt,
          createdById: caller.actor.userId,
          createdByLabel: caller.actor.label,
        },
      });
      await audit(deps, tx, "create", row, { cron: row.cron, timezone: row.timezone, action: row.action });
      return row;
    })
    .catch((error) => {
      throw mapPrismaError(error, `A schedule named '${input.name}' already exists`);
    });
  return toSchedule(created, null);
}

export async function updateSchedule(deps: ServiceDeps, input: z.output<typeof updateScheduleInput>) {
  const { db, caller } = deps;
  const before = await findSchedule(db, caller.projectId, input.id);
  const config = input.config ? await checkConfigTargets(db, caller.projectId, before.action, input.config) : undefined;
  const cron = input.cron ?? before.cron;
  const timezone = input.timezone ?? before.timezone;
  const timing = cron !== before.cron || timezone !== before.timezone;
  const updated = await db
    .$transaction(async (tx) => {
      const row = await tx.schedule.update({
        where: { id: before.id },
        data: {
          name: input.name,
          cron: input.cron,
          timezone: input.timezone,
          concurrency: input.concurrency,
          catchUp: input.catchUp,
          ...(config ? { config: config as Prisma.InputJsonValue } : {}),
          // A new cron or zone counts from now: fire times of the old one are not caught up.
          ...(timing && !before.paused ? { nextRunAt: nextFireAfter(cron, timezone, new Date()) } : {}),
        },
      });
      const fields = Object.entries(input).filter(([k, v]) => k !== "id" && v !== undefined);
      await audit(deps, tx, "update", row, { fields: fields.map(([k]) => k) });
      return row;
    })
    .catch((error) => {
      throw mapPrismaError(error, `A schedule named '${input.name}' already exists`);
    });
  return getSchedule(deps, { id: updated.id });
}

/** Pausing stops its fire times; resuming counts from now (the paused time is not caught up). */
export async function setSchedulePaused(deps: ServiceDeps, { id }: z.output<typeof scheduleIdInput>, paused: boolean) {
  const { db, caller } = deps;
  const row = await findSchedule(db, caller.projectId, id);
  await db.$transaction(async (tx) => {
    await tx.schedule.update({
      where: { id },
      data: { paused, nextRunAt: paused ? null : nextFireAfter(row.cron, row.timezone, new Date()) },
    });
    await audit(deps, tx, paused ? "pause" : "resume", row);
  });
  return getSchedule(deps, { id });
}

/** Deletes the schedule and its run history; the jobs it started stay on the Jobs page. */
export async function deleteSchedule(deps: ServiceDeps, { id }: z.output<typeof scheduleIdInput>) {
  const { db, caller } = deps;
  const row = await findSchedule(db, caller.projectId, id);
  await db.$transaction(async (tx) => {
    await tx.schedule.delete({ where: { id } });
    await audit(deps, tx, "delete", row);
  });
  return { id };
}

/**
 * Starts a run now, outside the cron, under the schedule's concurrency policy: `forbid` refuses (409) while a
 * run is going, `replace` cancels it. Works on a paused schedule too (paused stops only the cron).
 */
export async function runScheduleNow(deps: ServiceDeps, { id }: z.output<typeof scheduleIdInput>) {
  const { db, caller } = deps;
  const run = await db
    .$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM schedules WHERE id = ${id}::uuid AND project_id = ${caller.projectId}::uuid FOR UPDATE`;
      if (!row) throw notFound("Schedule", id);
      const schedule = await findSchedule(tx, caller.projectId, id);
      if (schedule.concurrency === "forbid") {
        const going = await runStillGoing(tx, id);
        if (going) throw new DomainError("CONFLICT", `${going}; this schedule forbids overlapping runs`);
      }
      const created = await tx.scheduleRun.create({
        data: {
          scheduleId: id,
          scheduledFor: new Date(),
          outcome: "started",
          reason: `Run now by ${caller.actor.label}`,
        },
      });
      await tx.schedule.update({ where: { id }, data: { lastRunAt: created.scheduledFor } });
      await audit(deps, tx, "run", schedule);
      return created;
    })
    .catch((error) => {
      // The cron fired at this very millisecond: that run is the one asked for.
      throw mapPrismaError(error, "A run of this schedule started at this moment already; try again");
    });
  await startPendingRuns(db, run.id);
  const [out] = await withJobStates(db, [await db.scheduleRun.findUniqueOrThrow({ where: { id: run.id } })]);
  return toRun(out);
}
