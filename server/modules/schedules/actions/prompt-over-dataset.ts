import { promptOverDatasetConfig } from "@/lib/schedules";
import { defineJobKind, PermanentJobError } from "@/server/modules/jobs/kinds";
import { scheduledRun } from "./payload";

/**
 * Runs a prompt (by label) over a dataset version as a batch and keeps the outputs as a new dataset version or
 * a file. The rows-to-lines and lines-to-rows logic is in prompt-over-dataset-lines.ts; the glue that creates
 * the batch (server/modules/batches) and its input file (server/modules/files), waits for it and stores the
 * result is not written yet: those modules had not landed when this was built, so a run fails saying so.
 */
export const promptOverDatasetAction = defineJobKind({
  kind: "schedule.prompt_over_dataset",
  payload: scheduledRun(promptOverDatasetConfig),
  perProject: 2,
  perProcess: 4,
  maxAttempts: 3,
  timeoutSeconds: 24 * 3600,
  retryDelaySeconds: 30,
  async run() {
    throw new PermanentJobError("Running a prompt over a dataset needs the batch executor, which this build lacks");
  },
});
