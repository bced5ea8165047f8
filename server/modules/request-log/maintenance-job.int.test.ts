// Request-log maintenance on the job runtime, with real pg-boss workers: the job creates the partitions ahead and
// applies the retention; any number of processes enqueuing in one hour make one job; runs never overlap.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/server/db";
import { jobEngine, stopJobEngine } from "@/server/modules/jobs/engine";
import type { JobKind } from "@/server/modules/jobs/kinds";
import { enqueueForSlot, slotKey, startPeriodicJobs } from "@/server/modules/jobs/periodic";
import { type JobWorkers, startJobWorkers } from "@/server/modules/jobs/workers";
import { withTestDatabase } from "@/server/testing/db";
import { listPartitions, maintainPartitions } from "./maintenance";
import { requestLogMaintenanceJob } from "./maintenance-job";

let db: Db;
let url: string;
let pool: pg.Pool;
let workers: JobWorkers;
const HOUR = 3_600_000;
const hourly = { kind: requestLogMaintenanceJob, everyMs: HOUR };

withTestDatabase(async (created, createdUrl) => {
  db = created;
  url = createdUrl;
  await jobEngine(url);
  workers = await startJobWorkers(db, [requestLogMaintenanceJob] as JobKind<never>[]);
});
beforeAll(() => {
  pool = new pg.Pool({ connectionString: url, max: 2 });
});
afterAll(async () => {
  await workers?.stop(0);
  await stopJobEngine(0);
  await pool?.end();
});

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}
const finished = (id: string) =>
  until(
    () => db.job.findUniqueOrThrow({ where: { id } }),
    (j) => ["succeeded", "failed", "cancelled"].includes(j.state),
  );
const utcDay = (offset: number) => {
  const d = new Date(Date.now() + offset * 86_400_000);
  return `request_log_p${d.toISOString().slice(0, 10).replaceAll("-", "")}`;
};

describe("maintenance.request_log job", () => {
  it("creates the partitions ahead and drops those past the retention", async () => {
    // A day long past the retention (30 days by default), as a replica would have left it years ago.
    await maintainPartitions({ pool }, { today: new Date("2020-01-01T00:00:00Z"), daysAhead: 0, retentionDays: 36500 });
    await pool.query("UPDATE request_log_settings SET days_ahead = 5 WHERE id = 1");
    expect((await listPartitions({ pool })).map((p) => p.name)).toContain("request_log_p20200101");

    const { id } = await enqueueForSlot(db, hourly, new Date("2031-05-05T10:20:00Z"));
    const job = await finished(id);
    expect(job.state).toBe("succeeded");
    expect(job.projectId).toBeNull();
    expect(job.idempotencyKey).toBe("maintenance.request_log:2031-05-05T10:00:00.000Z");
    const result = job.result as { created: string[]; dropped: string[] };
    expect(result.dropped).toContain("request_log_p20200101");
    const names = (await listPartitions({ pool })).map((p) => p.name);
    expect(names).not.toContain("request_log_p20200101");
    for (let ahead = 0; ahead <= 5; ahead++) expect(names).toContain(utcDay(ahead));
    expect(JSON.stringify(job.logs)).toContain("request_log_p20200101");
  });

  it("gives one job per hour however many processes enqueue it, and a new one the next hour", async () => {
    // Two processes: each its own client and pool, enqueuing the same hour at once, several times over.
    const other = createDb(url);
    try {
      await other.$queryRaw`SELECT 1`; // connected, so both race from the first call
      const at = new Date("2031-06-01T08:59:59Z");
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, i) => enqueueForSlot(i % 2 ? other : db, hourly, new Date(at.getTime() - i))),
      );
      expect(new Set(answers.map((a) => a.id)).size).toBe(1);
      expect(answers.filter((a) => a.created)).toHaveLength(1);
      expect(
        await db.job.count({ where: { idempotencyKey: slotKey(hourly.kind.kind, HOUR, at), projectId: null } }),
      ).toBe(1);
      // The database holds the rule, not the check-then-insert: a second system row with the key is refused.
      const row = {
        kind: hourly.kind.kind,
        createdByLabel: "test",
        idempotencyKey: slotKey(hourly.kind.kind, HOUR, at),
      };
      await expect(db.job.create({ data: { ...row, projectId: null } })).rejects.toThrow(/Unique constraint/i);
      const next = await enqueueForSlot(other, hourly, new Date("2031-06-01T09:00:00Z"));
      expect(next.id).not.toBe(answers[0].id);
      for (const id of [answers[0].id, next.id]) expect((await finished(id)).state).toBe("succeeded");
    } finally {
      await other.$disconnect();
    }
  });

  it("runs one at a time across the system, and each process's timer enqueues the current hour once", async () => {
    const before = new Date();
    const other = createDb(url);
    const timers = [startPeriodicJobs(db, [hourly]), startPeriodicJobs(other, [hourly])];
    try {
      const keys = [slotKey(hourly.kind.kind, HOUR, before), slotKey(hourly.kind.kind, HOUR)];
      const jobs = await until(
        () => db.job.findMany({ where: { projectId: null, idempotencyKey: { in: keys } } }),
        (rows) => rows.length >= new Set(keys).size,
      );
      expect(jobs).toHaveLength(new Set(keys).size);
      // Three more hours at once: the system "project" runs one maintenance at a time.
      const burst = await Promise.all(
        [1, 2, 3].map((h) => enqueueForSlot(db, hourly, new Date(Date.parse("2031-07-01T00:00:00Z") + h * HOUR))),
      );
      const runs = await Promise.all([...jobs.map((j) => j.id), ...burst.map((b) => b.id)].map(finished));
      expect(runs.every((r) => r.state === "succeeded")).toBe(true);
      const spans = runs.map((r) => [r.startedAt!.getTime(), r.finishedAt!.getTime()]).sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
    } finally {
      for (const t of timers) t.stop();
      await other.$disconnect();
    }
  });
});
