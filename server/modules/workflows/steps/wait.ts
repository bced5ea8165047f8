// Waiting on a child (an eval run, a batch, a rollout, a job) by polling its row, and cancelling it when the step
// is cancelled or times out (never on a worker's shutdown: the resumed run re-attaches to it).
import { FINAL_JOB_STATES } from "@/lib/jobs";
import { JobStopped } from "@/server/modules/jobs/kinds";
import { requestCancel } from "@/server/modules/jobs/service";
import { type StepContext, StepTimeout } from "./types";

const pollMs = () => Number(process.env.SWITCHYARD_WORKFLOW_POLL_MS ?? 1000);

/** A stop that should take the child down with the step (cancel, timeout), not a shutdown. */
function stopsChild(signal: AbortSignal): boolean {
  const reason = signal.reason;
  if (reason instanceof JobStopped) return reason.why !== "shutdown";
  return reason instanceof StepTimeout || signal.aborted;
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Polls `read` until `done(value)`; on abort cancels `childJobId` (when the stop should) and rethrows the reason.
 */
export async function waitFor<T>(
  ctx: StepContext,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  childJobId: string | null,
  onStop?: () => Promise<void>,
): Promise<T> {
  try {
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      await sleep(pollMs(), ctx.signal);
    }
  } catch (error) {
    if (ctx.signal.aborted && stopsChild(ctx.signal)) {
      if (childJobId) {
        await requestCancel(ctx.db, ctx.projectId, childJobId).catch(() => false);
        ctx.log(`Asked the child job ${childJobId} to stop`, "warn");
      }
      await onStop?.().catch(() => {});
    }
    throw error;
  }
}

/** Waits for a job of the runtime to finish; returns its row. */
export function waitForJob(ctx: StepContext, jobId: string) {
  return waitFor(
    ctx,
    () =>
      ctx.db.job.findUniqueOrThrow({ where: { id: jobId }, select: { state: true, result: true, lastError: true } }),
    (j) => FINAL_JOB_STATES.includes(j.state),
    jobId,
  );
}
