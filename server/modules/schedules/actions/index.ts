import { promptOverDatasetAction } from "./prompt-over-dataset";
import { sleepAction } from "./sleep";

/** The job kind each schedule action starts. */
export const ACTION_KINDS = {
  prompt_over_dataset: promptOverDatasetAction,
  sleep: sleepAction,
} as const;
