// Release policy requests and answers (no server-only imports: the console's form reuses them).
import { z } from "zod";
import { thresholdSchema } from "@/lib/evals/gate";

const releaseSubjectType = z.enum(["prompt", "model"]);
export type ReleaseSubjectType = z.infer<typeof releaseSubjectType>;

/** The label (prompt) or alias (model) a policy guards. */
const guardedLabel = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "A label is lowercase letters, digits, '.', '_' or '-'")
  .default("production");

export const policyKey = z.object({
  subjectType: releaseSubjectType,
  subjectId: z.uuid("subjectId must be a UUID"),
  label: guardedLabel,
});

export const savePolicyInput = policyKey.extend({
  /** Off: the policy is kept but moves are not checked. */
  requirePassingEval: z.boolean().default(true),
  /** A run older than this does not count (1 hour to 1 year). */
  maxAgeHours: z
    .number()
    .int()
    .min(1, "maxAgeHours must be at least 1")
    .max(8760, "maxAgeHours must be at most 8760 (a year)")
    .default(168),
  /** The passing run must be over this dataset version (null: any dataset). */
  datasetVersionId: z.uuid("datasetVersionId must be a UUID").nullable().default(null),
  /**
   * The bar the evidence run must clear, set by the policy's owner rather than by whoever runs the eval:
   * judged on that run's results for the version (changes against the run's baseline target, which must be
   * the version the label points at now). Empty: the run's own gate decides.
   */
  thresholds: z.array(thresholdSchema).max(20, "At most 20 thresholds").default([]),
});

export const listPoliciesInput = z.object({
  subjectType: releaseSubjectType,
  subjectId: z.uuid("subjectId must be a UUID"),
});

export const releasePolicyOut = z.object({
  id: z.string(),
  subjectType: releaseSubjectType,
  subjectId: z.string(),
  label: z.string(),
  requirePassingEval: z.boolean(),
  maxAgeHours: z.number(),
  datasetVersionId: z.string().nullable(),
  thresholds: z.array(thresholdSchema),
  createdByLabel: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type ReleasePolicyOut = z.infer<typeof releasePolicyOut>;
