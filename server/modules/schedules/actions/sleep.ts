import { setTimeout as wait } from "node:timers/promises";
import { sleepConfig } from "@/lib/schedules";
import { defineJobKind } from "@/server/modules/jobs/kinds";
import { scheduledRun } from "./payload";

/**
 * Waits `seconds` (0: does nothing), reporting progress each second and stopping at once when cancelled: lets
 * the policies be seen and tested without the batch machinery, and gives ops a harmless schedule to try.
 */
export const sleepAction = defineJobKind({
  kind: "schedule.sleep",
  payload: scheduledRun(sleepConfig),
  perProject: 4,
  perProcess: 8,
  maxAttempts: 1,
  timeoutSeconds: 3700,
  retryDelaySeconds: 5,
  async run(ctx) {
    const { seconds } = ctx.job.payload.config;
    for (let i = 0; i < seconds; i++) {
      await wait(1000, undefined, { signal: ctx.signal });
      ctx.progress(i + 1, seconds);
    }
    return { slept: seconds };
  },
});
