// The eval-run request (browser-safe: the console's form, REST, the CLI and workflow steps share it).
import { z } from "zod";
import { jobOut } from "@/lib/jobs";
import { thresholdSchema } from "./gate";
import { runSummarySchema, targetSummarySchema } from "./summary";

const evalTargetInputSchema = z
  .object({
    /** A prompt version answers the case (its variables come from the case); its own model unless one is given. */
    promptVersionId: z.uuid().optional(),
    /** A pinned model version, or a model reference the gateway resolves (name, name@alias, route). */
    modelVersionId: z.uuid().optional(),
    model: z.string().min(1).max(200).optional(),
    /** Generation parameters merged over the prompt's (temperature, max_tokens, ...). */
    params: z.record(z.string(), z.unknown()).default({}),
    label: z.string().max(200).optional(),
  })
  .strict()
  .refine((t) => t.promptVersionId || t.modelVersionId || t.model, {
    message: "A target needs a prompt version, a model version or a model",
  });

const evalEvaluatorRefSchema = z
  .object({
    /** An exact evaluator version, or the evaluator's name (its newest version when `version` is absent). */
    evaluatorVersionId: z.uuid().optional(),
    name: z.string().min(1).max(200).optional(),
    version: z.number().int().positive().optional(),
    weight: z.number().positive().max(1000).default(1),
  })
  .strict()
  .refine((e) => e.evaluatorVersionId || e.name, { message: "Name an evaluator or an evaluator version" });

export const createEvalRunSchema = z
  .object({
    name: z.string().max(200).default(""),
    datasetVersionId: z.uuid(),
    /** The matrix, written out: prompt versions x model versions x parameter sets (the console expands it). */
    targets: z.array(evalTargetInputSchema).min(1).max(20),
    evaluators: z.array(evalEvaluatorRefSchema).min(1).max(20),
    /** Repeated trials per case and target: all are kept. */
    trials: z.number().int().min(1).max(20).default(1),
    /** Calls in flight at once for this run. */
    concurrency: z.number().int().min(1).max(64).default(8),
    /** Stop (status failed, results kept) once the run's calls and evaluators cost more than this. */
    budgetUsd: z.number().positive().optional(),
    /** Only the first N cases of the dataset version. */
    caseLimit: z.number().int().positive().optional(),
    /** Gate thresholds each target must meet (against the baseline target when `baselineTarget` is set). */
    thresholds: z.array(thresholdSchema).max(50).default([]),
    /** Index into `targets` of the baseline the others are compared with. */
    baselineTarget: z.number().int().min(0).optional(),
    /** An earlier run this one is compared with on its results page. */
    baselineRunId: z.uuid().optional(),
  })
  .strict();

export type CreateEvalRunInput = z.input<typeof createEvalRunSchema>;
export type CreateEvalRun = z.output<typeof createEvalRunSchema>;

// ---- What the API answers (the console's runs list and detail pages, REST, the CLI) ----

const EVAL_RUN_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;
export type EvalRunStatus = (typeof EVAL_RUN_STATUSES)[number];
export const FINAL_EVAL_RUN_STATUSES: readonly EvalRunStatus[] = ["completed", "failed", "cancelled"];

export const evalRunIdInput = z.object({ id: z.uuid() });

export const listEvalRunsInput = z.object({
  status: z.enum(EVAL_RUN_STATUSES).optional(),
  datasetVersionId: z.uuid().optional(),
  /** The id of the last run of the previous page (newest first). */
  cursor: z.uuid().optional(),
  // REST query strings carry numbers as text.
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

const evalTargetOut = z.object({
  id: z.string(),
  position: z.number().int(),
  label: z.string(),
  promptVersionId: z.string().nullable(),
  modelVersionId: z.string().nullable(),
  /** What the gateway is asked for: `prompt:NAME@V`, or a model reference. */
  model: z.string().nullable(),
  params: z.record(z.string(), z.unknown()),
  summary: targetSummarySchema.nullable(),
});

const evalRunOut = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(EVAL_RUN_STATUSES),
  dataset: z.object({ id: z.string(), name: z.string(), versionId: z.string(), version: z.number().int() }),
  trials: z.number().int(),
  concurrency: z.number().int(),
  budgetUsd: z.number().nullable(),
  totalCases: z.number().int(),
  doneCases: z.number().int(),
  costUsd: z.number(),
  evalCostUsd: z.number(),
  error: z.string().nullable(),
  jobId: z.string().nullable(),
  baselineRunId: z.string().nullable(),
  /** Every non-baseline target passed its gate; null without thresholds or before the run ends. */
  gatePassed: z.boolean().nullable(),
  createdByLabel: z.string(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  targets: z.array(evalTargetOut),
});
export type EvalRunOut = z.infer<typeof evalRunOut>;

export const listEvalRunsOut = z.object({ items: z.array(evalRunOut), nextCursor: z.string().nullable() });

export const evalRunDetailOut = evalRunOut.extend({
  /** The run's configuration as stored: evaluators (exact versions), thresholds, baseline, case limit. */
  config: z.record(z.string(), z.unknown()),
  summary: runSummarySchema.nullable(),
  job: jobOut.nullable(),
});

export const listEvalResultsInput = z.object({
  id: z.uuid(),
  targetId: z.uuid().optional(),
  /** Only results that failed: the call errored or an evaluator did not pass. */
  failedOnly: z
    // A REST query string says "true"/"false" (a plain boolean would be coerced: "false" is truthy).
    .preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean())
    .default(false),
  /** Results to skip (pages are ordered by case, target, trial). */
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const evalResultOut = z.object({
  targetId: z.string(),
  caseIndex: z.number().int(),
  trial: z.number().int(),
  input: z.unknown(),
  expected: z.unknown(),
  output: z.string().nullable(),
  error: z.string().nullable(),
  scores: z.array(
    z.object({
      evaluatorVersionId: z.string(),
      name: z.string(),
      version: z.number().int(),
      type: z.string(),
      score: z.number(),
      passed: z.boolean(),
      reason: z.string(),
      weight: z.number(),
      costUsd: z.number(),
    }),
  ),
  score: z.number().nullable(),
  passed: z.boolean().nullable(),
  latencyMs: z.number().nullable(),
  tokensIn: z.number().int(),
  tokensOut: z.number().int(),
  costUsd: z.number(),
  evalCostUsd: z.number(),
  requestId: z.string().nullable(),
});

export const listEvalResultsOut = z.object({
  items: z.array(evalResultOut),
  total: z.number().int(),
  nextOffset: z.number().int().nullable(),
});

/** What the "New eval run" form offers (newest first, at most 200 of each). */
export const evalRunOptionsOut = z.object({
  datasetVersions: z.array(
    z.object({ id: z.string(), dataset: z.string(), version: z.number().int(), exampleCount: z.number().int() }),
  ),
  promptVersions: z.array(
    z.object({ id: z.string(), prompt: z.string(), version: z.number().int(), model: z.string().nullable() }),
  ),
  modelVersions: z.array(z.object({ id: z.string(), model: z.string(), version: z.number().int() })),
  evaluators: z.array(z.object({ name: z.string(), version: z.number().int(), type: z.string() })),
});
export type EvalRunOptions = z.infer<typeof evalRunOptionsOut>;
