// The process's pg-boss instance (one per process, on globalThis so Next's dev
// reloads do not open more pools). pg-boss keeps its tables in the `pgboss`
// schema of our database and migrates them itself on start.
import { PgBoss } from "pg-boss";
import { env } from "@/server/env";
import { describeError, RepeatedLog } from "@/server/repeated-log";

const globalForJobs = globalThis as unknown as { switchyardJobEngine?: Promise<PgBoss>; switchyardJobDbUrl?: string };

/** The database the process's engine (and so its jobs) runs on: for jobs that talk to Postgres directly. */
export function jobDatabaseUrl(): string {
  const url = globalForJobs.switchyardJobDbUrl ?? env().DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (npm start sets it to the embedded Postgres)");
  return url;
}

/** Options every process uses: a small pool, errors said once per interval, never thrown at the loop. */
function createBoss(connectionString: string): PgBoss {
  const boss = new PgBoss({
    connectionString,
    max: Number(process.env.SWITCHYARD_JOBS_POOL_SIZE ?? 6),
    application_name: "switchyard-jobs",
    // Our schedules (server/modules/schedules) read cron with time zones and policies; pg-boss's cron stays off.
    schedule: false,
    // How soon a job whose worker died (no heartbeat for its heartbeatSeconds) is handed to another worker.
    superviseIntervalSeconds: Number(process.env.SWITCHYARD_JOBS_SUPERVISE_S ?? 5),
    // The pass that fails jobs whose heartbeat stopped (pg-boss's default is a minute).
    monitorIntervalSeconds: Number(process.env.SWITCHYARD_JOBS_MONITOR_S ?? 10),
    // A job sent wakes an idle worker at once (NOTIFY) instead of after its next poll: a short batch or eval run
    // otherwise spends up to a poll interval waiting to start. Polling stays on (workers.ts) for what NOTIFY does
    // not announce: retries whose delay ran out, jobs a per-project limit held back.
    useListenNotify: process.env.SWITCHYARD_JOBS_NOTIFY !== "0",
  });
  const said = new RepeatedLog();
  boss.on("error", (error) => said.report(`[switchyard] jobs engine: ${describeError(error)}`));
  return boss;
}

/** The started engine for DATABASE_URL (or the URL given, first call wins). */
export function jobEngine(connectionString?: string): Promise<PgBoss> {
  if (!globalForJobs.switchyardJobEngine) {
    const url = connectionString ?? env().DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set (npm start sets it to the embedded Postgres)");
    globalForJobs.switchyardJobDbUrl = url;
    const boss = createBoss(url);
    globalForJobs.switchyardJobEngine = boss.start().then(
      () => boss,
      (error) => {
        globalForJobs.switchyardJobEngine = undefined;
        throw error;
      },
    );
  }
  return globalForJobs.switchyardJobEngine;
}

/** Stops the process's engine (workers finish or are cut after `graceMs`); a later call starts a new one. */
export async function stopJobEngine(graceMs = 10_000): Promise<void> {
  const pending = globalForJobs.switchyardJobEngine;
  globalForJobs.switchyardJobEngine = undefined;
  if (!pending) return;
  const boss = await pending.catch(() => undefined);
  await boss?.stop({ graceful: graceMs > 0, timeout: Math.max(graceMs, 1) }).catch(() => {});
}
