// The eval-run request (browser-safe: the console's form, REST, the CLI and workflow steps share it).
import { z } from "zod";
import { thresholdSchema } from "./gate";

export const evalTargetInputSchema = z
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

export const evalEvaluatorRefSchema = z
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
