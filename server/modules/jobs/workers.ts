import type { Db } from "@/server/db";
import { jobEngine, stopJobEngine } from "./engine";
import type { JobKind } from "./kinds";
import { ensureQueue, registerKinds } from "./queues";
import { runAttempt } from "./runner";

export interface JobWorkers {
  /** Aborts running attempts (they keep their checkpoints and are resumed elsewhere), then stops the engine. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts this process's workers for the kinds given: `npm start` runs them beside the console unless
 * SWITCHYARD_WORKERS=0, `npm run worker` runs only them. Any number of processes share the queues.
 */
export async function startJobWorkers(db: Db, kinds: readonly JobKind<never>[]): Promise<JobWorkers> {
  const boss = await jobEngine();
  const shutdown = new AbortController();
  registerKinds(kinds);
  for (const kind of kinds) {
    await ensureQueue(boss, kind);
    await boss.work<{ jobId: string }>(
      kind.kind,
      {
        batchSize: 1,
        localConcurrency: kind.perProcess,
        groupConcurrency: kind.perProject,
        pollingIntervalSeconds: Number(process.env.SWITCHYARD_JOBS_POLL_S ?? 0.5),
        // NOTIFY does not announce a retry's delay running out or a project's slot freeing: keep polling as often.
        notifyPollingIntervalSeconds: Number(process.env.SWITCHYARD_JOBS_POLL_S ?? 0.5),
      },
      async ([job]) => runAttempt(kind as JobKind<unknown>, job, { db, shutdown: shutdown.signal }),
    );
  }
  return {
    async stop(graceMs = 10_000) {
      shutdown.abort();
      await stopJobEngine(graceMs);
    },
  };
}
