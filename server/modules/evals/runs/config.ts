// What eval_runs.config holds (written by service.ts, read by the executor and the queries).

/** What eval_runs.config holds: the evaluators pinned to exact versions, so a resumed run scores alike. */
export interface EvalRunConfig {
  evaluators: { evaluatorVersionId: string; name: string; version: number; weight: number }[];
  trials: number;
  concurrency: number;
  budgetUsd: number | null;
  caseLimit: number | null;
  thresholds: unknown[];
  baselineTarget: number | null;
}
