// The system's own recurring work (partition maintenance, sweeps): every process that runs workers enqueues it
// on a small timer, and the idempotency key of the time slot makes all of them together enqueue one job per slot.
// The timer only enqueues; the work runs on whichever worker takes the job, one at a time (perProject 1 applies
// to the system "project" too).
import type { Db } from "@/server/db";
import { describeError, RepeatedLog } from "@/server/repeated-log";
import { type EnqueuedJob, enqueueJob } from "./enqueue";
import type { JobKind } from "./kinds";

export interface PeriodicJob {
  kind: JobKind<Record<string, never>>;
  /** One job per slot of this length, the first at start (unless another process already ran this slot). */
  everyMs: number;
}

/** How often a process checks whether the current slot has its job: a slot is never missed by more than this. */
const CHECK_MS = 60_000;

/** `<kind>:<slot start, ISO>`, e.g. `maintenance.request_log:2026-12-06T12:00:00.000Z`. */
export function slotKey(kind: string, everyMs: number, now = new Date()): string {
  return `${kind}:${new Date(Math.floor(now.getTime() / everyMs) * everyMs).toISOString()}`;
}

/** Enqueues the slot's job unless some process already did (then returns that one). */
export function enqueueForSlot(db: Db, job: PeriodicJob, now = new Date()): Promise<EnqueuedJob> {
  return enqueueJob(db, job.kind, {
    projectId: null,
    payload: {},
    idempotencyKey: slotKey(job.kind.kind, job.everyMs, now),
    createdBy: { userId: null, label: "system schedule" },
  });
}

/** Starts the timers; `stop()` clears them. Failures (database down) are said once per interval and retried. */
export function startPeriodicJobs(db: Db, jobs: readonly PeriodicJob[]): { stop(): void } {
  const said = new RepeatedLog();
  const tick = () => {
    for (const job of jobs)
      enqueueForSlot(db, job).catch((error) =>
        said.report(`[switchyard] could not enqueue ${job.kind.kind}: ${describeError(error)}`),
      );
  };
  tick();
  const timer = setInterval(tick, Math.min(CHECK_MS, ...jobs.map((j) => j.everyMs)));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
