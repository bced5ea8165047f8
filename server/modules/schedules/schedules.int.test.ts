// Schedules on a real Postgres with real pg-boss workers: the tick driven by a fake clock (fires on time, once
// per fire time however many tickers), forbid / allow / replace, catch-up after a restart, a time zone across a
// DST change, the real loop on a 2-second cron, run now, pause/resume, and the procedures' validation and scopes.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Principal } from "@/server/auth/principal";
import type { Db } from "@/server/db";
import { jobEngine, stopJobEngine } from "@/server/modules/jobs/engine";
import { type JobWorkers, startJobWorkers } from "@/server/modules/jobs/workers";
import { withTestDatabase } from "@/server/testing/db";
import { addMember, callerFor, makeApiKey, makeProject } from "@/server/testing/factories";
import { handleRest } from "@/server/trpc/rest";
import { ACTION_KINDS } from "./actions";
import { startScheduler } from "./scheduler";
import { tickSchedules } from "./tick";

let db: Db;
let projectId: string;
let owner: ReturnType<typeof callerFor>;
let ownerPrincipal: Principal;
let workers: JobWorkers;

withTestDatabase(async (created, url) => {
  db = created;
  const made = await makeProject(db);
  projectId = made.project.id;
  ownerPrincipal = made.owner.principal;
  owner = callerFor(db, ownerPrincipal, projectId);
  await jobEngine(url);
  workers = await startJobWorkers(db, Object.values(ACTION_KINDS) as never);
});

afterEach(async () => {
  // Cancel what a test left going, and forget its schedules, so the next test's fake clock sees only its own.
  const going = await db.job.findMany({ where: { projectId, state: { in: ["queued", "running", "retrying"] } } });
  for (const job of going) await owner.jobs.cancel({ id: job.id }).catch(() => {});
  await db.schedule.deleteMany({});
});

afterAll(async () => {
  await workers?.stop(0);
  await stopJobEngine(0);
});

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const at = (iso: string) => new Date(iso);
const plus = (date: Date, ms: number) => new Date(date.getTime() + ms);
const MINUTE = 60_000;
const runsOf = (scheduleId: string) =>
  db.scheduleRun.findMany({ where: { scheduleId }, orderBy: { scheduledFor: "asc" } });
const job = (id: string) => db.job.findUniqueOrThrow({ where: { id } });

/** A schedule of the sleep action whose next fire time is `nextRunAt` (as if created earlier). */
async function sleeper(
  name: string,
  opts: { cron?: string; seconds?: number; concurrency?: string; catchUp?: string; timezone?: string; nextRunAt: Date },
) {
  const created = await owner.schedules.create({
    name,
    cron: opts.cron ?? "* * * * *",
    timezone: opts.timezone ?? "UTC",
    concurrency: (opts.concurrency ?? "forbid") as "forbid",
    catchUp: (opts.catchUp ?? "latest") as "latest",
    action: "sleep",
    config: { seconds: opts.seconds ?? 0 },
  });
  await db.schedule.update({ where: { id: created.id }, data: { nextRunAt: opts.nextRunAt } });
  return created.id;
}

describe("the tick", () => {
  it("fires on time, once per fire time however many tickers, and advances next_run_at", async () => {
    const T = at("2030-01-01T10:05:00Z");
    const id = await sleeper("every five", { cron: "*/5 * * * *", concurrency: "allow", nextRunAt: T });
    expect((await tickSchedules(db, plus(T, -1000))).started).toBe(0);
    expect(await runsOf(id)).toHaveLength(0);

    const ticks = await Promise.all([tickSchedules(db, plus(T, 300)), tickSchedules(db, plus(T, 300))]);
    expect(ticks.map((t) => t.started).sort()).toEqual([0, 1]);
    const runs = await runsOf(id);
    expect(runs.map((r) => [r.scheduledFor.toISOString(), r.outcome])).toEqual([[T.toISOString(), "started"]]);
    expect(runs[0].jobId).not.toBeNull();
    const done = await until(
      () => job(runs[0].jobId!),
      (j) => j.state === "succeeded",
    );
    expect(done.state).toBe("succeeded");
    expect(done.idempotencyKey).toBe(`schedule:${id}:${T.toISOString()}`);
    expect(done.subjectType).toBe("schedule");
    expect(done.subjectId).toBe(id);
    const schedule = await db.schedule.findUniqueOrThrow({ where: { id } });
    expect(schedule.nextRunAt?.toISOString()).toBe("2030-01-01T10:10:00.000Z");
    expect(schedule.lastRunAt?.toISOString()).toBe(T.toISOString());
    // Ticking again at the same moment starts nothing more.
    expect((await tickSchedules(db, plus(T, 500))).started).toBe(0);
    expect(await runsOf(id)).toHaveLength(1);
  });

  it("reads the cron in the schedule's time zone across a DST change (09:00 New York = 14:00, then 13:00 UTC)", async () => {
    const before = at("2026-03-07T14:00:00Z");
    const id = await sleeper("nine in new york", {
      cron: "0 9 * * *",
      timezone: "America/New_York",
      nextRunAt: before,
    });
    await tickSchedules(db, plus(before, 200));
    const after = await db.schedule.findUniqueOrThrow({ where: { id } });
    expect(after.nextRunAt?.toISOString()).toBe("2026-03-08T13:00:00.000Z");
    await tickSchedules(db, plus(after.nextRunAt!, 200));
    expect((await runsOf(id)).map((r) => r.scheduledFor.toISOString())).toEqual([
      "2026-03-07T14:00:00.000Z",
      "2026-03-08T13:00:00.000Z",
    ]);
  });
});

describe("run history", () => {
  it("keeps the newest 1000 runs of a schedule, and a started run whose job still goes", async () => {
    const T = at("2030-06-01T00:00:00Z");
    const id = await sleeper("history", { seconds: 60, concurrency: "forbid", catchUp: "none", nextRunAt: T });
    await tickSchedules(db, plus(T, 100));
    const [going] = await runsOf(id);
    // 1,005 older-looking runs recorded after it (as a long outage's missed fire times would be).
    await db.scheduleRun.createMany({
      data: Array.from({ length: 1005 }, (_, i) => ({
        scheduleId: id,
        scheduledFor: plus(T, (i + 1) * MINUTE),
        outcome: "skipped",
      })),
    });
    await tickSchedules(db, plus(T, 1006 * MINUTE + 100));
    const runs = await runsOf(id);
    expect(runs).toHaveLength(1001);
    expect(runs[0].id).toBe(going.id);
    expect(runs[1].scheduledFor.toISOString()).toBe(plus(T, 7 * MINUTE).toISOString());
    expect(runs.at(-1)?.outcome).toBe("skipped");
  });
});

describe("concurrency policies", () => {
  it("forbid skips a fire time while the previous run is still going, with the reason", async () => {
    const T = at("2030-02-01T10:00:00Z");
    const id = await sleeper("forbid", { seconds: 60, concurrency: "forbid", nextRunAt: T });
    await tickSchedules(db, plus(T, 100));
    const [first] = await runsOf(id);
    await until(
      () => job(first.jobId!),
      (j) => j.state === "running",
    );
    await tickSchedules(db, plus(T, MINUTE + 100));
    const runs = await runsOf(id);
    expect(runs.map((r) => r.outcome)).toEqual(["started", "skipped"]);
    expect(runs[1].jobId).toBeNull();
    expect(runs[1].reason).toMatch(/The run of 2030-02-01T10:00:00.000Z is still going \(job .* is running\)/);
    // Run now is refused as well while it goes.
    await expect(owner.schedules.runNow({ id })).rejects.toThrow(/still going/);

    await owner.jobs.cancel({ id: first.jobId! });
    await until(
      () => job(first.jobId!),
      (j) => j.state === "cancelled",
    );
    await tickSchedules(db, plus(T, 2 * MINUTE + 100));
    expect((await runsOf(id)).map((r) => r.outcome)).toEqual(["started", "skipped", "started"]);
  });

  it("allow starts the next run beside the one still going", async () => {
    const T = at("2030-03-01T10:00:00Z");
    const id = await sleeper("allow", { seconds: 60, concurrency: "allow", nextRunAt: T });
    await tickSchedules(db, plus(T, 100));
    await tickSchedules(db, plus(T, MINUTE + 100));
    const runs = await runsOf(id);
    expect(runs.map((r) => r.outcome)).toEqual(["started", "started"]);
    const both = await until(
      () => Promise.all(runs.map((r) => job(r.jobId!))),
      (jobs) => jobs.every((j) => j.state === "running"),
    );
    expect(both.map((j) => j.state)).toEqual(["running", "running"]);
  });

  it("replace cancels the run still going, then starts the new one", async () => {
    const T = at("2030-04-01T10:00:00Z");
    const id = await sleeper("replace", { seconds: 60, concurrency: "replace", nextRunAt: T });
    await tickSchedules(db, plus(T, 100));
    const [first] = await runsOf(id);
    await until(
      () => job(first.jobId!),
      (j) => j.state === "running",
    );
    await tickSchedules(db, plus(T, MINUTE + 100));
    const runs = await runsOf(id);
    expect(runs.map((r) => r.outcome)).toEqual(["started", "started"]);
    expect((await job(first.jobId!)).cancelRequestedAt).not.toBeNull();
    const old = await until(
      () => job(first.jobId!),
      (j) => j.state === "cancelled",
    );
    expect(old.state).toBe("cancelled");
    const fresh = await until(
      () => job(runs[1].jobId!),
      (j) => j.state === "running",
    );
    expect(fresh.state).toBe("running");
  });
});

describe("catch-up after a restart (next_run_at six fire times in the past)", () => {
  const T = at("2030-05-01T10:00:00Z");
  const cron = "*/10 * * * *";
  // 10:00 … 10:50 are due; at 10:52 every one of them is older than a minute: missed, not merely late.
  const restart = plus(T, 52 * MINUTE);
  const due = [0, 1, 2, 3, 4, 5].map((m) => plus(T, m * 10 * MINUTE).toISOString());

  it("none: records the missed fire times and starts nothing", async () => {
    const id = await sleeper("catch up none", { cron, catchUp: "none", concurrency: "allow", nextRunAt: T });
    expect(await tickSchedules(db, restart)).toMatchObject({ started: 0, missed: 6 });
    const runs = await runsOf(id);
    expect(runs.map((r) => r.scheduledFor.toISOString())).toEqual(due);
    expect(new Set(runs.map((r) => r.outcome))).toEqual(new Set(["missed"]));
    expect((await db.schedule.findUniqueOrThrow({ where: { id } })).nextRunAt?.toISOString()).toBe(
      "2030-05-01T11:00:00.000Z",
    );
  });

  it("none still starts a fire time that is only seconds late", async () => {
    const id = await sleeper("catch up none, on time", { cron, catchUp: "none", concurrency: "allow", nextRunAt: T });
    await tickSchedules(db, plus(T, 50 * MINUTE + 10_000));
    const runs = await runsOf(id);
    expect(runs.map((r) => r.outcome)).toEqual(["missed", "missed", "missed", "missed", "missed", "started"]);
  });

  it("latest: starts only the newest missed fire time", async () => {
    const id = await sleeper("catch up latest", { cron, catchUp: "latest", concurrency: "allow", nextRunAt: T });
    expect(await tickSchedules(db, restart)).toMatchObject({ started: 1, missed: 5 });
    const runs = await runsOf(id);
    expect(runs.filter((r) => r.outcome === "started").map((r) => r.scheduledFor.toISOString())).toEqual([due[5]]);
  });

  it("all: starts every missed fire time, each its own job", async () => {
    const id = await sleeper("catch up all", { cron, catchUp: "all", concurrency: "allow", nextRunAt: T });
    expect(await tickSchedules(db, restart)).toMatchObject({ started: 6, missed: 0 });
    const runs = await runsOf(id);
    expect(runs.map((r) => r.scheduledFor.toISOString())).toEqual(due);
    expect(new Set(runs.map((r) => r.jobId)).size).toBe(6);
    const jobs = await until(
      () => Promise.all(runs.map((r) => job(r.jobId!))),
      (all) => all.every((j) => j.state === "succeeded"),
    );
    expect(jobs.map((j) => j.state)).toEqual(Array(6).fill("succeeded"));
  });

  it("all: at most 100 missed runs, the newest", async () => {
    const id = await sleeper("catch up many", {
      cron: "*/5 * * * *",
      catchUp: "all",
      concurrency: "allow",
      nextRunAt: T,
    });
    // Two days down: 577 fire times missed, the newest (48 h later) two minutes before the restart.
    expect(await tickSchedules(db, plus(T, 48 * 3600_000 + 2 * MINUTE))).toMatchObject({ started: 100 });
    const runs = await runsOf(id);
    expect(runs).toHaveLength(100);
    expect(runs.at(-1)?.scheduledFor.toISOString()).toBe(plus(T, 48 * 3600_000).toISOString());
    expect(runs[0].scheduledFor.toISOString()).toBe(plus(T, 48 * 3600_000 - 99 * 5 * MINUTE).toISOString());
  });
});

describe("the loop", () => {
  it("fires a 6-field cron every 2 seconds in real time", async () => {
    const id = (
      await owner.schedules.create({
        name: "every two seconds",
        cron: "*/2 * * * * *",
        timezone: "UTC",
        concurrency: "allow",
        catchUp: "none",
        action: "sleep",
        config: { seconds: 0 },
      })
    ).id;
    const scheduler = startScheduler(db, 200);
    try {
      const runs = await until(
        () => runsOf(id),
        (r) => r.filter((x) => x.outcome === "started" && x.jobId).length >= 3,
      );
      const started = runs.filter((r) => r.outcome === "started" && r.jobId).slice(0, 3);
      expect(started).toHaveLength(3);
      for (const run of started) expect(run.scheduledFor.getTime() % 2000).toBe(0);
      expect(started[1].scheduledFor.getTime() - started[0].scheduledFor.getTime()).toBe(2000);
      expect(started[2].scheduledFor.getTime() - started[1].scheduledFor.getTime()).toBe(2000);
      const jobs = await until(
        () => Promise.all(started.map((r) => job(r.jobId!))),
        (all) => all.every((j) => j.state === "succeeded"),
      );
      expect(jobs.map((j) => j.state)).toEqual(["succeeded", "succeeded", "succeeded"]);
    } finally {
      await scheduler.stop();
    }
  });
});

describe("the procedures", () => {
  it("lists with next run and last run, shows history, pauses, resumes from now, runs now and deletes", async () => {
    const id = await sleeper("ops", { cron: "0 3 * * *", nextRunAt: at("2031-01-01T03:00:00Z") });
    const now = await owner.schedules.runNow({ id });
    expect(now.outcome).toBe("started");
    expect(now.reason).toMatch(/^Run now by /);
    await until(
      () => job(now.jobId!),
      (j) => j.state === "succeeded",
    );
    const [listed] = (await owner.schedules.list({})).items;
    expect(listed).toMatchObject({ id, description: "Every day at 03:00", paused: false, lastRun: { id: now.id } });
    expect(listed.lastRun?.jobState).toBe("succeeded");

    const paused = await owner.schedules.pause({ id });
    expect(paused.paused).toBe(true);
    expect(paused.nextRunAt).toBeNull();
    expect(paused.upcoming).toEqual([]);
    expect((await tickSchedules(db, at("2031-01-02T03:00:01Z"))).started).toBe(0);

    const resumed = await owner.schedules.resume({ id });
    expect(resumed.nextRunAt!.getTime()).toBeGreaterThan(Date.now() - 1000);
    expect(resumed.nextRunAt!.getTime()).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
    expect(resumed.upcoming).toHaveLength(5);
    expect(resumed.runs.map((r) => r.id)).toEqual([now.id]);
    const audit = await db.auditLog.findMany({ where: { projectId, targetId: id }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => a.action)).toEqual([
      "schedule.create",
      "schedule.run",
      "schedule.pause",
      "schedule.resume",
    ]);

    const updated = await owner.schedules.update({ id, cron: "30 4 * * 1-5", timezone: "Europe/Berlin" });
    expect(updated.description).toBe("At 04:30 on weekdays");
    expect(updated.timezone).toBe("Europe/Berlin");

    await owner.schedules.delete({ id });
    await expect(owner.schedules.get({ id })).rejects.toThrow(/not found/);
    expect(await db.job.count({ where: { id: now.jobId! } })).toBe(1);
  });

  it("refuses a bad cron or time zone with 400 naming the field, and writes nothing", async () => {
    const base = { name: "bad", action: "sleep" as const, config: {} };
    for (const [input, path, message] of [
      [{ cron: "61 * * * *" }, "cron", /minute: 61/],
      [{ cron: "* * *" }, "cron", /has 3/],
      [{ cron: "* * * * *", timezone: "Mars/Olympus_Mons" }, "timezone", /IANA time zone/],
      [{ cron: "* * * * *", config: { seconds: -1 } }, "config.seconds", /0/],
    ] as const) {
      const error = await owner.schedules.create({ ...base, ...input } as never).catch((e: unknown) => e);
      const cause = (error as { code?: string; cause?: { issues?: { path: (string | number)[]; message: string }[] } })
        .cause;
      expect((error as { code?: string }).code).toBe("BAD_REQUEST");
      expect(cause?.issues?.[0]?.path.join(".")).toBe(path);
      expect(cause?.issues?.[0]?.message).toMatch(message);
    }
    const { key } = await makeApiKey(db, projectId);
    const response = await handleRest(
      new Request("http://localhost/api/rest/schedules", {
        method: "POST",
        body: JSON.stringify({ name: "bad", cron: "* * * * *", timezone: "Nowhere/City", action: "sleep" }),
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      }),
      { db, session: async () => null },
    );
    expect(response.status).toBe(400);
    const { error } = await response.json();
    expect(error.issues.map((i: { path: string }) => i.path)).toEqual(["timezone"]);
    const missing = await owner.schedules
      .create({
        ...base,
        cron: "* * * * *",
        action: "prompt_over_dataset",
        config: { prompt: "nope", datasetVersionId: "00000000-0000-4000-8000-000000000000" },
      } as never)
      .catch((e: unknown) => e);
    expect((missing as { code?: string }).code).toBe("BAD_REQUEST");
    expect((missing as Error).message).toMatch(/not in this project/);
    expect(await db.schedule.count({ where: { projectId } })).toBe(0);
  });

  it("lets a viewer read but not create, pause or run", async () => {
    const id = await sleeper("read only", { nextRunAt: at("2031-01-01T00:00:00Z") });
    const viewer = callerFor(db, (await addMember(db, projectId, "viewer")).principal, projectId);
    expect((await viewer.schedules.list({})).items.map((s) => s.id)).toEqual([id]);
    expect((await viewer.schedules.get({ id })).id).toBe(id);
    const input = { name: "x", cron: "* * * * *", action: "sleep" as const, config: {} };
    await expect(viewer.schedules.create(input as never)).rejects.toThrow(/jobs:write/);
    await expect(viewer.schedules.pause({ id })).rejects.toThrow(/jobs:write/);
    await expect(viewer.schedules.runNow({ id })).rejects.toThrow(/jobs:write/);
    await expect(viewer.schedules.delete({ id })).rejects.toThrow(/jobs:write/);
    const other = await makeProject(db, "Other");
    const stranger = callerFor(db, other.owner.principal, other.project.id);
    await expect(stranger.schedules.get({ id })).rejects.toThrow(/not found/);
    expect(ownerPrincipal.kind).toBe("user");
  });
});
