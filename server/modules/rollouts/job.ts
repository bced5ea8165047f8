// The rollout analysis as a system job: every ANALYSIS_EVERY_MS across all processes (one per slot), so a failing
// candidate is rolled back within seconds of its window failing, whichever process serves its traffic.
import { z } from "zod";
import { defineJobKind } from "@/server/modules/jobs/kinds";
import { analyzeRollouts } from "./analysis";

export const ANALYSIS_EVERY_MS = 10_000;

export const rolloutAnalysisJob = defineJobKind({
  kind: "rollouts.analysis",
  payload: z.object({}),
  perProject: 1,
  perProcess: 1,
  maxAttempts: 1,
  // The next slot's run comes 10 s later anyway; webhooks retry within the run.
  timeoutSeconds: 60,
  retryDelaySeconds: 5,
  async run(ctx) {
    const outcomes = await analyzeRollouts(ctx.db);
    for (const o of outcomes)
      if (o.outcome !== "waiting" && o.outcome !== "held")
        ctx.log(`rollout ${o.id}: ${o.outcome}${o.reason ? ` (${o.reason})` : ""}`);
    return { judged: outcomes.length };
  },
});
