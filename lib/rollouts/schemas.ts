// A rollout request and what the rollouts API answers (browser-safe: the console's forms reuse these).
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

export type RolloutStep = z.output<typeof rolloutStepSchema>;

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

export type RolloutAnalysis = z.output<typeof rolloutAnalysisSchema>;

/**
 * Steps only ever raise the candidate's share. The last step need not be 100: once the last step's window
 * passes, the rollout ends by promotion (the label moves to the candidate), which is 100 % by definition.
 */
const rolloutStepsSchema = z
  .array(rolloutStepSchema)
  .min(1)
  .max(20)
  .superRefine((steps, ctx) => {
    for (let i = 1; i < steps.length; i++)
      if (steps[i].percent <= steps[i - 1].percent)
        ctx.addIssue({
          code: "custom",
          path: [i, "percent"],
          message: `Step ${i + 1} must give the candidate more than step ${i} (${steps[i - 1].percent} %)`,
        });
  });

export const createRolloutSchema = z
  .object({
    subjectType: z.enum(["prompt", "model"]),
    subjectId: z.uuid(),
    /** The label (prompt) or alias (model) whose traffic moves; its current version is the stable one. */
    label: z.string().min(1).max(100).default("production"),
    candidateVersionId: z.uuid(),
    steps: rolloutStepsSchema,
    analysis: rolloutAnalysisSchema.default({ minSamples: 50 }),
    webhookUrl: z.url().optional(),
  })
  .strict();

export type CreateRolloutInput = z.input<typeof createRolloutSchema>;

const ROLLOUT_STATUSES = ["running", "paused", "promoted", "rolled_back", "aborted"] as const;
export type RolloutStatus = (typeof ROLLOUT_STATUSES)[number];
export const LIVE_ROLLOUT_STATUSES: readonly RolloutStatus[] = ["running", "paused"];

export const rolloutIdInput = z.object({ id: z.uuid() }).strict();
export const rolloutActionInput = z.object({ id: z.uuid(), reason: z.string().max(500).default("") }).strict();
export const listRolloutsInput = z.object({
  status: z.enum(ROLLOUT_STATUSES).optional(),
  subjectId: z.uuid().optional(),
});

/** One arm's figures over a window. */
const armMetricsSchema = z.object({
  versionId: z.string(),
  requests: z.number(),
  errors: z.number(),
  errorRate: z.number().nullable(),
  latencyP95Ms: z.number().nullable(),
  costPerRequestUsd: z.number().nullable(),
  feedbackMean: z.number().nullable(),
  feedbackCount: z.number(),
  onlineEvalMean: z.number().nullable(),
  onlineEvalCount: z.number(),
});
export type ArmMetrics = z.infer<typeof armMetricsSchema>;

const criterionResultSchema = z.object({
  name: z.string(),
  /** pass | fail | no_data (the criterion had nothing to judge: no feedback yet, no stable p95). */
  result: z.enum(["pass", "fail", "no_data"]),
  actual: z.number().nullable(),
  limit: z.number(),
  message: z.string(),
});
export type CriterionResult = z.infer<typeof criterionResultSchema>;

const rolloutOut = z.object({
  id: z.string(),
  subjectType: z.enum(["prompt", "model"]),
  subjectId: z.string(),
  subjectName: z.string(),
  label: z.string(),
  stableVersionId: z.string(),
  stableVersion: z.number(),
  candidateVersionId: z.string(),
  candidateVersion: z.number(),
  steps: z.array(z.object({ percent: z.number(), durationSeconds: z.number(), pause: z.boolean() })),
  analysis: z.record(z.string(), z.unknown()),
  currentStep: z.number(),
  candidatePercent: z.number(),
  status: z.enum(ROLLOUT_STATUSES),
  reason: z.string().nullable(),
  webhookUrl: z.string().nullable(),
  stepStartedAt: z.date(),
  createdByLabel: z.string(),
  createdAt: z.date(),
  finishedAt: z.date().nullable(),
});
export type RolloutOut = z.infer<typeof rolloutOut>;

const rolloutEventOut = z.object({
  id: z.string(),
  kind: z.string(),
  detail: z.record(z.string(), z.unknown()),
  actorLabel: z.string(),
  createdAt: z.date(),
});

export const rolloutDetailOut = rolloutOut.extend({
  events: z.array(rolloutEventOut),
  /** The current step's window so far (live figures; the analysis events keep each judged window). */
  window: z.object({
    from: z.date(),
    to: z.date(),
    stable: armMetricsSchema,
    candidate: armMetricsSchema,
  }),
});
export type RolloutDetailOut = z.infer<typeof rolloutDetailOut>;

export const listRolloutsOut = z.object({ items: z.array(rolloutOut) });
