import type { StepType } from "@/lib/workflows/catalogue";
import { batchStep, datasetTransformStep, exportStep, fineTuneStep } from "./data";
import { evalStep, gateStep } from "./eval";
import { promoteStep } from "./promote";
import { rolloutStep } from "./rollout";
import type { StepRun } from "./types";
import { webhookStep } from "./webhook";

/** The catalogue's implementations, one per step type (lib/workflows/catalogue.ts has their `with` and outputs). */
export const STEP_RUNNERS: Record<StepType, StepRun> = {
  batch: batchStep,
  eval: evalStep,
  gate: gateStep,
  promote: promoteStep,
  rollout: rolloutStep,
  dataset_transform: datasetTransformStep,
  fine_tune: fineTuneStep,
  export: exportStep,
  webhook: webhookStep,
};
