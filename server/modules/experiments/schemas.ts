import { z } from "zod";
import { versionNumber } from "@/lib/version-number";
import { generationParams } from "@/server/modules/models/schemas";

export const EXPERIMENT_STATUSES = ["draft", "running", "stopped", "concluded"] as const;

const metricDefinition = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(60)
    .regex(/^[a-z][a-z0-9_]*$/, "Metric names use lowercase letters, digits and '_'"),
  /** rate: per unit 0/1 (e.g. thumbs up); mean: per unit average of posted values (e.g. a 1-5 rating). */
  kind: z.enum(["rate", "mean"]),
  higherIsBetter: z.boolean().default(true),
  /**
   * outcomes: values posted to the experiment (POST …/outcomes). feedback: the feedback scores named
   * `feedbackName` that people or scripts gave the experiment's logged requests (request_feedback).
   * online_eval: the scores the online evaluation rule named `onlineEvalRule` gave a sample of the experiment's
   * logged requests (online_eval_scores): a rate counts passes, a mean averages scores.
   */
  source: z.enum(["outcomes", "feedback", "online_eval"]).default("outcomes"),
  /** The feedback score's name (thumbs, rating, ...); for source feedback, defaults to the metric's name. */
  feedbackName: z.string().trim().min(1).max(100).optional(),
  /** The online evaluation rule's name; for source online_eval, defaults to the metric's name. */
  onlineEvalRule: z.string().trim().min(1).max(100).optional(),
});
export type MetricDefinition = z.output<typeof metricDefinition>;

const variantInput = z
  .object({
    key: z
      .string()
      .trim()
      .min(1)
      .max(40)
      .regex(/^[a-z0-9_-]+$/, "Variant keys use lowercase letters, digits, '_' and '-'"),
    name: z.string().max(100).default(""),
    weight: z.number().int().min(1, "Each variant needs a weight of at least 1").max(99),
    isControl: z.boolean().default(false),
    /** A version of the experiment's prompt. */
    promptVersion: versionNumber.optional(),
    /** A model version id from the registry. */
    modelVersionId: z.string().uuid().optional(),
    params: generationParams.default({}),
  })
  .refine((v) => v.promptVersion !== undefined || v.modelVersionId !== undefined, {
    message: "A variant is a prompt version and/or a model version",
    path: ["promptVersion"],
  });

export const createExperimentInput = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(100),
    description: z.string().max(5000).default(""),
    hypothesis: z.string().max(2000).default(""),
    promptId: z.string().uuid().optional(),
    promoteLabel: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .max(40)
      .default("production"),
    /** Percent of traffic that enters the experiment. */
    trafficPercent: z.number().min(0.1).max(100).default(100),
    metrics: z.array(metricDefinition).min(1, "Define at least one metric").max(10),
    sequential: z.boolean().default(false),
    /**
     * Units per arm to collect before reading a fixed-horizon result (the create dialog computes it from the
     * baseline rate, the minimum detectable effect, alpha and power). Omit for no plan.
     */
    plannedUnitsPerArm: z.number().int().min(2, "Plan at least 2 units per arm").max(1_000_000_000).optional(),
    variants: z.array(variantInput).min(2, "An experiment compares at least two variants").max(10),
  })
  .superRefine((input, ctx) => {
    const total = input.variants.reduce((sum, v) => sum + v.weight, 0);
    if (total !== 100)
      ctx.addIssue({ code: "custom", path: ["variants"], message: `Weights must sum to 100 (they sum to ${total})` });
    const controls = input.variants.filter((v) => v.isControl).length;
    if (controls > 1)
      ctx.addIssue({ code: "custom", path: ["variants"], message: "Only one variant can be the control" });
    const keys = new Set(input.variants.map((v) => v.key));
    if (keys.size !== input.variants.length)
      ctx.addIssue({ code: "custom", path: ["variants"], message: "Variant keys must be unique" });
    if (input.variants.some((v) => v.promptVersion !== undefined) && !input.promptId)
      ctx.addIssue({
        code: "custom",
        path: ["promptId"],
        message: "Choose the prompt whose versions the variants use",
      });
    const names = new Set(input.metrics.map((m) => m.name));
    if (names.size !== input.metrics.length)
      ctx.addIssue({ code: "custom", path: ["metrics"], message: "Metric names must be unique" });
  });

export const assignInput = z.object({
  experimentId: z.string().uuid(),
  /** End users or sessions to assign (sticky). Omit to assign one request at random (not sticky). */
  unitIds: z.array(z.string().min(1).max(200)).max(1000).optional(),
  requestId: z.string().max(200).optional(),
});

export const outcomeInput = z.object({
  experimentId: z.string().uuid(),
  outcomes: z
    .array(
      z
        .object({
          unitId: z.string().min(1).max(200).optional(),
          requestId: z.string().min(1).max(200).optional(),
          metric: z.string().min(1).max(60),
          value: z.number().finite(),
        })
        .refine((o) => o.unitId || o.requestId, { message: "Give a unitId or a requestId", path: ["unitId"] }),
    )
    .min(1)
    .max(1000),
});

/** What POST …/outcomes stored, and what it did not count and why (by the outcome's index in the request). */
export const outcomesRecorded = z.object({
  recorded: z.number(),
  ignored: z.number(),
  ignoredOutcomes: z.array(z.object({ index: z.number(), reason: z.string() })),
});

export const variantOut = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  weight: z.number(),
  isControl: z.boolean(),
  promptVersion: z.number().nullable(),
  modelVersionId: z.string().nullable(),
  params: generationParams,
});

/** What `concludeExperiment` records: the winner and, when the label moved, where it points. */
const experimentDecision = z.object({
  /** null: no winner, the control stays. */
  winnerKey: z.string().nullable(),
  reason: z.string(),
  /** The risks the person acknowledged when concluding (not significant, planned size not reached, SRM). */
  acknowledgedRisks: z.array(z.string()).default([]),
  promoted: z.object({ label: z.string(), version: z.number().int() }).nullable(),
  decidedBy: z.string(),
  /** ISO 8601 */
  decidedAt: z.string(),
});
export type ExperimentDecision = z.infer<typeof experimentDecision>;

export const experimentOut = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  hypothesis: z.string(),
  status: z.enum(EXPERIMENT_STATUSES),
  trafficPercent: z.number(),
  metrics: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(["rate", "mean"]),
      higherIsBetter: z.boolean(),
      source: z.enum(["outcomes", "feedback", "online_eval"]),
      feedbackName: z.string().nullable(),
      onlineEvalRule: z.string().nullable(),
    }),
  ),
  /** Units per arm planned before the start; null when there is no plan. */
  plannedUnitsPerArm: z.number().nullable(),
  promptId: z.string().nullable(),
  promptName: z.string().nullable(),
  promoteLabel: z.string(),
  sequential: z.boolean(),
  decision: experimentDecision.nullable(),
  startedAt: z.date().nullable(),
  stoppedAt: z.date().nullable(),
  concludedAt: z.date().nullable(),
  createdAt: z.date(),
  variants: z.array(variantOut),
});

export const assignmentOut = z.object({
  unitId: z.string().nullable(),
  requestId: z.string().nullable(),
  /** null: the unit is outside the experiment's traffic share and gets the default. */
  variant: variantOut.nullable(),
  sticky: z.boolean(),
});

export const concludeInput = z.object({
  experimentId: z.string().uuid(),
  /** The winner's key, or null for "no winner: keep the control". Required: there is no default winner. */
  winnerKey: z.string().min(1).nullable(),
  reason: z.string().max(2000).default(""),
  /** Move the experiment's promote label (default production) to the winner's prompt version, in the same transaction. */
  promote: z.boolean().default(false),
  /**
   * Conclude for a winner whose result is not conclusive (not significant on the primary metric, planned
   * size not reached, sample-ratio mismatch): refused without this flag, and recorded with the decision.
   */
  acknowledgeNotSignificant: z.boolean().default(false),
});
