/**
 * `npm run worker`: background workers alone (batches, schedules, maintenance), to scale out. Any number of
 * them, on any machines, share the queues in the database. Needs DATABASE_URL (the console's database) and
 * SWITCHYARD_MASTER_KEY when upstream keys are stored. `npm start` runs the same workers in its own process
 * unless SWITCHYARD_WORKERS=0.
 */
import { db } from "@/server/db";
import { env } from "@/server/env";
import { shutdownGraceMs } from "@/server/http/graceful";
import { JOB_KINDS, systemJobs } from "@/server/job-kinds";
import { startPeriodicJobs } from "@/server/modules/jobs/periodic";
import { WORKER_NAME } from "@/server/modules/jobs/runner";
import { startJobWorkers } from "@/server/modules/jobs/workers";
import { requestLogWriter, shutdownRequestLog } from "@/server/modules/request-log/runtime";
import { startScheduler } from "@/server/modules/schedules/scheduler";

if (!env().DATABASE_URL) {
  console.error("[worker] set DATABASE_URL to the console's database (npm start prints the embedded one's URL)");
  process.exit(2);
}
const graceMs = shutdownGraceMs();
requestLogWriter();
const workers = await startJobWorkers(db(), JOB_KINDS);
// Every worker process enqueues the system's recurring jobs; the slot's idempotency key keeps it one job per slot.
const periodic = startPeriodicJobs(db(), systemJobs());
// Schedules' fire times: every worker ticks; row locks and one run per fire time keep them from doubling up.
const scheduler = startScheduler(db());
console.log(`[worker] ${WORKER_NAME} runs ${JOB_KINDS.map((k) => k.kind).join(", ") || "no job kinds"}`);
// SIGTERM: running attempts are aborted (each keeps its checkpoint; another worker resumes it), then the log
// is flushed.
const shutdown = async (signal: string) => {
  console.log(`[worker] ${signal}: stopping`);
  periodic.stop();
  await scheduler.stop();
  await workers.stop(graceMs);
  await shutdownRequestLog().catch(() => {});
  process.exit(0);
};
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
