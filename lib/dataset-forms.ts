/**
 * The console's dataset forms and the server check them with the same schemas (split, filter,
 * k-anonymity, fine-tuning jobs). Browser-safe: no Node, no Prisma.
 */
import { z } from "zod";
import { userPatternProblem } from "@/lib/regex";

/** Share of examples that go to train; the rest is validation. */
export const splitRatio = z
  .number()
  .gt(0, "The train share must be more than 0")
  .lt(1, "The train share must be less than 1 (the rest is validation)");

export const splitOptions = z.object({
  ratio: splitRatio,
  /** The same salt and ratio always split the same examples the same way. */
  salt: z.string().max(100),
});

/** A filter's content pattern: runs in RE2 (case-insensitive), so the form names a pattern RE2 refuses. */
const contentPattern = z
  .string()
  .max(200)
  .superRefine((pattern, ctx) => {
    if (!pattern) return;
    const problem = userPatternProblem(pattern, "i");
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const filterOptions = z
  .object({
    minTokens: z.number().int().min(0).optional(),
    maxTokens: z.number().int().min(1).optional(),
    requireRole: z.enum(["system", "user", "assistant"]).optional(),
    include: contentPattern.optional(),
    exclude: contentPattern.optional(),
  })
  .refine((f) => f.minTokens === undefined || f.maxTokens === undefined || f.minTokens <= f.maxTokens, {
    message: "The minimum must not exceed the maximum",
    path: ["minTokens"],
  });

export const kAnonymityInput = z.object({
  versionId: z.string().uuid(),
  fields: z
    .array(z.string().trim().min(1, "A field name is empty").max(100))
    .min(1, "Name at least one metadata field")
    .max(20, "At most 20 fields"),
  k: z.number().int().min(2).max(1000),
});

const hyperparameters = z
  .object({
    epochs: z.number().int().min(1).max(100).optional(),
    learningRateMultiplier: z.number().positive().max(100).optional(),
    batchSize: z.number().int().min(1).max(4096).optional(),
  })
  .strict();

export const createJobInput = z.object({
  baseModelVersionId: z.string().uuid("Choose a base model version"),
  datasetVersionId: z.string().uuid("Choose a dataset version"),
  hyperparameters: hyperparameters.default({}),
});
export { hyperparameters as jobHyperparameters };

/** "Add to dataset" from the request explorer (datasets.addFromRequests). */
export const MAX_REQUESTS_PER_ADD = 100;

export const addRequestsInput = z
  .object({
    requestIds: z
      .array(z.uuid("A request id is a UUID"))
      .min(1, "Select at least one request")
      .max(MAX_REQUESTS_PER_ADD, `At most ${MAX_REQUESTS_PER_ADD} requests at a time`),
    /** A new dataset's name, or… */
    name: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, "Use letters, digits, '.', '_', '-' and '/'")
      .optional(),
    /** …an existing chat dataset: a new version = its latest version plus these examples. */
    datasetId: z.uuid().optional(),
  })
  .refine((i) => Boolean(i.name) !== Boolean(i.datasetId), {
    message: "Give a new dataset's name or an existing dataset's id (one of them)",
    path: ["name"],
  });
