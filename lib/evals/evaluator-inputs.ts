// Inputs of the evaluator procedures (browser-safe: the console's form validates live with the same schemas).
import { z } from "zod";
import { evaluatorDefinitionShape, evaluatorName, refineDefinition, trySampleSchema } from "./evaluators";

/** An HTTP evaluator's signing secret: yours, or (left out) one generated and shown once. */
const secret = z.string().min(16, "A secret has at least 16 characters").max(500).optional();

export const createEvaluatorInput = z
  .object({
    name: evaluatorName,
    description: z.string().max(2000).default(""),
    ...evaluatorDefinitionShape,
    secret,
  })
  .superRefine(refineDefinition);

export const createEvaluatorVersionInput = z
  .object({
    evaluatorId: z.uuid("evaluatorId must be a UUID"),
    ...evaluatorDefinitionShape,
    /** Replaces the evaluator's signing secret (HTTP evaluators); left out, the current one is kept. */
    secret,
  })
  .superRefine(refineDefinition);

/** Score one sample with a stored version, or with a definition not saved yet (HTTP: name the evaluator, for its secret). */
export const tryEvaluatorInput = z
  .object({
    evaluatorVersionId: z.uuid().optional(),
    evaluatorId: z.uuid().optional(),
    type: evaluatorDefinitionShape.type.optional(),
    config: evaluatorDefinitionShape.config,
    threshold: evaluatorDefinitionShape.threshold,
    negate: evaluatorDefinitionShape.negate,
    ...trySampleSchema.shape,
  })
  .superRefine((d, ctx) => {
    if (!d.evaluatorVersionId && !d.type)
      ctx.addIssue({ code: "custom", path: ["type"], message: "Give an evaluator version, or a type and its config" });
    if (d.type && !d.evaluatorVersionId) refineDefinition({ type: d.type, config: d.config }, ctx);
  });
