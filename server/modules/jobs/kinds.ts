import type { z } from "zod";
import type { Db } from "@/server/db";

/** What a running job gets: its row's data, the database, and ways to report and to stop. */
export interface JobContext<P> {
  job: {
    id: string;
    /** Null for the system's own work (no project). */
    projectId: string | null;
    kind: string;
    payload: P;
    /** 1 for the first attempt. */
    attempt: number;
    /** What the last `checkpoint()` of an earlier attempt saved; null on a fresh start. */
    checkpoint: unknown;
    subjectType: string | null;
    subjectId: string | null;
  };
  db: Db;
  /** Aborted when the job is cancelled, times out, or the worker shuts down: stop soon, keep what is done. */
  signal: AbortSignal;
  /** Units done (of total): written at most twice a second. */
  progress(done: number, total?: number): void;
  /** Saves where a later attempt resumes (written now). */
  checkpoint(value: unknown): Promise<void>;
  /** A line in the job's log (the last 200 are kept). */
  log(message: string, level?: "info" | "warn" | "error"): void;
}

/**
 * A kind of background work. The limits are the fair-share rules: `perProject` is enforced across every worker
 * process (pg-boss group concurrency, the group being the project), `perProcess` within one worker.
 */
export interface JobKind<P = unknown> {
  /** Also the pg-boss queue name: letters, digits, `.`, `-`, `_`. */
  kind: string;
  payload: z.ZodType<P>;
  perProject: number;
  perProcess: number;
  maxAttempts: number;
  /** An attempt running longer is aborted and counts as failed. */
  timeoutSeconds: number;
  /** The first retry waits this long, then it doubles (with jitter). */
  retryDelaySeconds: number;
  run(ctx: JobContext<P>): Promise<unknown>;
}

export function defineJobKind<P>(kind: JobKind<P>): JobKind<P> {
  return kind;
}

/** Thrown by a job that must not be tried again (its input is wrong): it fails at once. */
export class PermanentJobError extends Error {
  override name = "PermanentJobError";
}

/** The reason a job's signal was aborted. */
export class JobStopped extends Error {
  constructor(readonly why: "cancelled" | "timeout" | "shutdown") {
    super(
      why === "cancelled"
        ? "Cancelled"
        : why === "timeout"
          ? "The attempt ran past its time limit"
          : "The worker shut down",
    );
    this.name = "JobStopped";
  }
}
