import { z } from "zod";
import { splitRatio } from "@/lib/dataset-forms";
import { DEFAULT_MAX_REJECTED_FRACTION } from "@/server/modules/datasets/core/issues";
import { maskOptionsSchema } from "@/server/modules/datasets/core/schemas";
import { datasetStats, versionParams, versionReport } from "@/server/modules/datasets/output-schemas";

const datasetName = z
  .string()
  .trim()
  .min(1, "Name is required")
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, "Use letters, digits, '.', '_', '-' and '/'");

export const importQuery = z.object({
  /** A new dataset's name, or… */
  name: datasetName.optional(),
  /** …an existing dataset to add a version to. */
  datasetId: z.string().uuid().optional(),
  format: z.enum(["auto", "chat", "completion"]).default("auto"),
  mode: z.enum(["strict", "lenient"]).default("strict"),
  /** Count tokens with this local model's tokenizer (name, name@alias, name@3); default: a rough estimate. */
  tokenizer: z.string().max(200).optional(),
  /** Per-example token limit (default 16385, OpenAI's training cap). */
  maxTokens: z.coerce.number().int().min(1).max(1_000_000).optional(),
  /**
   * Lenient mode: the largest share of non-empty lines that may be rejected (0–1, default 0.1 = 10 %);
   * above it nothing is stored. Ignored in strict mode.
   */
  maxRejectedFraction: z.coerce.number().min(0).max(1).default(DEFAULT_MAX_REJECTED_FRACTION),
});

export const transformInput = z.discriminatedUnion("operation", [
  z.object({ operation: z.literal("mask"), versionId: z.string().uuid(), options: maskOptionsSchema.optional() }),
  z.object({ operation: z.literal("dedupe"), versionId: z.string().uuid() }),
  z.object({
    operation: z.literal("filter"),
    versionId: z.string().uuid(),
    minTokens: z.number().int().min(0).optional(),
    maxTokens: z.number().int().min(1).optional(),
    requireRole: z.enum(["system", "user", "assistant"]).optional(),
    include: z.string().max(200).optional(),
    exclude: z.string().max(200).optional(),
  }),
  z.object({
    operation: z.literal("split"),
    versionId: z.string().uuid(),
    ratio: splitRatio.default(0.9),
    salt: z.string().max(100).default("switchyard"),
  }),
  z.object({
    operation: z.literal("merge"),
    versionId: z.string().uuid(),
    otherVersionIds: z.array(z.string().uuid()).min(1).max(10),
    dedupe: z.boolean().default(true),
  }),
]);
export type TransformInput = z.input<typeof transformInput>;

export const versionOut = z.object({
  id: z.string(),
  version: z.number(),
  parentId: z.string().nullable(),
  parentVersion: z.number().nullable(),
  operation: z.string(),
  params: versionParams,
  contentHash: z.string(),
  exampleCount: z.number(),
  stats: datasetStats,
  report: versionReport,
  createdByLabel: z.string(),
  createdAt: z.date(),
});

export const datasetOut = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  format: z.enum(["chat", "completion"]),
  createdAt: z.date(),
  updatedAt: z.date(),
  latestVersion: z.number().nullable(),
  exampleCount: z.number().nullable(),
  versions: z.array(versionOut),
});

/**
 * What a transform answers: the new version (made inside the request), or, over SWITCHYARD_DATASET_INLINE_ROWS
 * source examples, the job making it (`job` set; the job's result names the version when it is done).
 */
export const transformOut = z.union([
  versionOut.extend({ job: z.null() }),
  z.object({
    job: z.object({ id: z.string(), kind: z.string() }),
    sourceVersionId: z.string(),
    /** Source examples the job reads. */
    examples: z.number(),
  }),
]);
export type TransformOut = z.infer<typeof transformOut>;
