// What the evaluator procedures answer (inputs: lib/evals/evaluator-inputs.ts, shared with the console).
import { z } from "zod";
import { EVALUATOR_TYPES } from "@/lib/evals/evaluators";

export const evaluatorVersionOut = z.object({
  id: z.string(),
  version: z.number().int(),
  type: z.enum(EVALUATOR_TYPES),
  config: z.record(z.string(), z.unknown()),
  /** As saved: null means the type's default… */
  threshold: z.number().nullable(),
  /** …which this is. */
  effectiveThreshold: z.number(),
  negate: z.boolean(),
  createdByLabel: z.string(),
  createdAt: z.date(),
});

export const evaluatorSummary = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  /** An HTTP evaluator's signing secret is set (it is never shown again after it was created). */
  hasSecret: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
  versionCount: z.number().int(),
  latest: evaluatorVersionOut.nullable(),
});

export const evaluatorDetail = evaluatorSummary.extend({ versions: z.array(evaluatorVersionOut) });

export const savedEvaluatorOut = z.object({
  evaluatorId: z.string(),
  version: evaluatorVersionOut,
  /** A signing secret generated for this save, shown this once (HTTP evaluators); null otherwise. */
  secret: z.string().nullable(),
});

export const tryResultOut = z.object({
  score: z.number(),
  passed: z.boolean(),
  reason: z.string(),
  costUsd: z.number(),
});
