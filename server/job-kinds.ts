// Every kind of background work, listed once: the workers run these, and a
// manual retry finds its kind here. A module defines its kind; only this file
// gathers them (so the jobs module never imports the modules it runs).
import { batchKind } from "@/server/modules/batches/executor";
import { fineTuneStaleJob, staleMinutes } from "@/server/modules/datasets/fine-tune-stale";
import { datasetTransformJob } from "@/server/modules/datasets/transform";
import { onlineEvalJob } from "@/server/modules/evals/online/job";
import { evalRunKind } from "@/server/modules/evals/runs/executor";
import type { JobKind } from "@/server/modules/jobs/kinds";
import type { PeriodicJob } from "@/server/modules/jobs/periodic";
import { systemJobsPruneJob } from "@/server/modules/jobs/prune";
import { requestLogMaintenanceJob } from "@/server/modules/request-log/maintenance-job";
import { ANALYSIS_EVERY_MS, rolloutAnalysisJob } from "@/server/modules/rollouts/job";
import { ACTION_KINDS } from "@/server/modules/schedules/actions";
import { workflowRunKind } from "@/server/modules/workflows/engine";
import { workflowTriggersJob } from "@/server/modules/workflows/triggers";

export const JOB_KINDS: readonly JobKind<never>[] = [
  batchKind,
  requestLogMaintenanceJob,
  systemJobsPruneJob,
  fineTuneStaleJob,
  datasetTransformJob,
  evalRunKind,
  rolloutAnalysisJob,
  onlineEvalJob,
  workflowRunKind,
  workflowTriggersJob,
  ...Object.values(ACTION_KINDS),
] as JobKind<never>[];

/**
 * The system's recurring work (no project), enqueued by every process that runs workers
 * (`startPeriodicJobs`): one job per slot across all of them.
 */
export function systemJobs(): PeriodicJob[] {
  return [
    { kind: requestLogMaintenanceJob, everyMs: 3_600_000 },
    { kind: systemJobsPruneJob, everyMs: 3_600_000 },
    // Checked twice per stale period (at least once a minute), so a dead executor's job waits at most 1.5 periods.
    { kind: fineTuneStaleJob, everyMs: Math.max(60_000, (staleMinutes() * 60_000) / 2) },
    // Live rollouts are judged every 10 s: a failing candidate is rolled back well within a minute.
    { kind: rolloutAnalysisJob, everyMs: ANALYSIS_EVERY_MS },
    // Workflow triggers (schedules, new versions, label moves): a minute is the finest a workflow schedule fires.
    { kind: workflowTriggersJob, everyMs: 60_000 },
  ];
}
