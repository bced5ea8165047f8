// A rollout request (browser-safe).
import { z } from "zod";

export const rolloutStepSchema = z
  .object({
    /** Share of the label's traffic the candidate gets in this step. */
    percent: z.number().gt(0).max(100),
    /** How long the step lasts before analysis may advance it (the analysis window). */
    durationSeconds: z
      .number()
      .int()
      .min(10)
      .max(7 * 86_400)
      .default(300),
    /** Wait for a person to resume after this step instead of advancing on a passing analysis. */
    pause: z.boolean().default(false),
  })
  .strict();

export const rolloutAnalysisSchema = z
  .object({
    /** Samples per arm in a window before it is judged. */
    minSamples: z.number().int().min(1).max(1_000_000).default(50),
    maxErrorRate: z.number().min(0).max(1).optional(),
    /** Candidate error rate minus stable error rate. */
    maxErrorRateIncrease: z.number().min(0).max(1).optional(),
    maxLatencyP95Ms: z.number().positive().optional(),
    /** Candidate p95 / stable p95. */
    maxLatencyP95Ratio: z.number().positive().optional(),
    maxCostPerRequestUsd: z.number().positive().optional(),
    feedback: z
      .object({ name: z.string().min(1), minMean: z.number() })
      .strict()
      .optional(),
    onlineEval: z
      .object({ ruleId: z.uuid(), minMeanScore: z.number().min(0).max(1) })
      .strict()
      .optional(),
  })
  .strict();

export const createRolloutSchema = z
  .object({
    subjectType: z.enum(["prompt", "model"]),
    subjectId: z.uuid(),
    /** The label (prompt) or alias (model) whose traffic moves; its current version is the stable one. */
    label: z.string().min(1).max(100).default("production"),
    candidateVersionId: z.uuid(),
    steps: z.array(rolloutStepSchema).min(1).max(20),
    analysis: rolloutAnalysisSchema.default({ minSamples: 50 }),
    webhookUrl: z.url().optional(),
  })
  .strict();

export type CreateRolloutInput = z.input<typeof createRolloutSchema>;
