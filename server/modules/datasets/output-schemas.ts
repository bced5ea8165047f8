import { z } from "zod";
import { ISSUE_CODES } from "@/server/modules/datasets/core/issues";
import { maskOptionsSchema } from "@/server/modules/datasets/core/schemas";
import { CHAT_ROLES, PII_KINDS } from "@/server/modules/datasets/core/types";

/**
 * What the datasets procedures return, read back from jsonb exactly as the
 * service writes it (`./versions.ts`, `./service.ts`, `./reports.ts`).
 */

const count = z.number().int();

const distribution = z.object({
  count,
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  p50: z.number(),
  p95: z.number(),
});

/** `DatasetStats.snapshot()` (core/stats.ts). */
export const datasetStats = z.object({
  examples: count,
  uniqueExamples: count,
  duplicates: count,
  messages: count,
  roles: z.record(z.enum(CHAT_ROLES), count),
  messagesPerExample: distribution,
  tokensPerExample: distribution,
  assistantTokensPerExample: distribution,
  totalTokens: count,
  billingTokens: count,
  examplesOverCap: count,
  examplesMissingSystem: count,
  examplesMissingUser: count,
  examplesMissingAssistant: count,
  weightZeroMessages: count,
  duplicateIndexBytes: count,
});
export type DatasetStatsOut = z.infer<typeof datasetStats>;

/**
 * How the version was made: the import's options, or the transform's own
 * (each operation sets only its keys; `options` is the mask's).
 */
export const versionParams = z.object({
  // import
  format: z.enum(["auto", "chat", "completion"]).optional(),
  mode: z.enum(["strict", "lenient"]).optional(),
  maxRejectedFraction: z.number().optional(),
  tokenizer: z.string().optional(),
  maxTokens: z.number().int().optional(),
  // mask
  options: maskOptionsSchema.optional(),
  // filter
  minTokens: z.number().int().optional(),
  requireRole: z.enum(["system", "user", "assistant"]).optional(),
  include: z.string().optional(),
  exclude: z.string().optional(),
  // split
  ratio: z.number().optional(),
  salt: z.string().optional(),
  // merge
  otherVersionIds: z.array(z.string()).optional(),
  // from_requests: the logged requests this version added
  requestIds: z.array(z.string()).optional(),
  dedupe: z.boolean().optional(),
});

export type VersionParams = z.infer<typeof versionParams>;

const piiCounts = z.record(z.enum(PII_KINDS), count);

const datasetIssue = z.object({
  line: count,
  code: z.enum(ISSUE_CODES),
  message: z.string(),
  path: z.string().optional(),
});

/** What the operation found; each operation sets only its keys. */
export const versionReport = z.object({
  // import
  issues: z
    .object({
      lines: count,
      rejectedLines: count,
      acceptedLines: count,
      errors: count,
      warnings: count,
      counts: z.partialRecord(z.enum(ISSUE_CODES), count),
      errorSample: z.array(datasetIssue),
      /** Warnings (BOM, CRLF, empty lines, ...) apart from the errors. */
      warningSample: z.array(datasetIssue),
      /** Some issues are not in the samples (compare `errors` and `warnings`). */
      truncated: z.boolean(),
    })
    .optional(),
  decision: z.string().optional(),
  bytes: count.optional(),
  format: z.enum(["chat", "completion"]).optional(),
  // mask
  masking: z
    .object({ examples: count, examplesAffected: count, occurrences: piiCounts, examplesByKind: piiCounts })
    .optional(),
  // dedupe
  duplicatesRemoved: count.optional(),
  // filter
  kept: count.optional(),
  /** Dropped examples by reason (`FilterReason` in core/transforms.ts). */
  dropped: z
    .object({
      too_few_tokens: count,
      too_many_tokens: count,
      missing_role: count,
      forbidden_role: count,
      no_include_match: count,
      excluded_by_pattern: count,
    })
    .optional(),
  // split
  split: z.object({ train: count, validation: count }).optional(),
  // merge: the parent first, then the others
  merged: z.array(z.string()).optional(),
});
export type VersionReport = z.infer<typeof versionReport>;

/** A stored example (always chat form, `DatasetExample` in core/types.ts). */
export const datasetExampleOut = z.object({
  messages: z.array(
    z.object({
      role: z.enum(CHAT_ROLES),
      content: z.string(),
      name: z.string().optional(),
      weight: z.union([z.literal(0), z.literal(1)]).optional(),
      /** Legacy function calling: a JSON object, kept as given. */
      function_call: z.record(z.string(), z.json()).optional(),
    }),
  ),
  /** Free annotation (source, tenant, language, ...): whatever JSON object the uploader gave. */
  metadata: z.record(z.string(), z.json()).optional(),
});
export type DatasetExampleOut = z.infer<typeof datasetExampleOut>;

/** `KAnonymityCounter.report()` (core/kanon.ts). */
export const kAnonymityOut = z.object({
  fields: z.array(z.string()),
  examples: count,
  groups: count,
  k: count,
  targetK: count,
  groupsBelowK: count,
  examplesBelowK: count,
  /** Each group's values by field: metadata values (any JSON), null where the example lacks the field. */
  below: z.array(z.object({ values: z.record(z.string(), z.json()), count })),
  truncated: z.boolean(),
});
export type KAnonymityOut = z.infer<typeof kAnonymityOut>;

const compareSide = z.object({
  id: z.string(),
  version: count,
  examples: count,
  contentHash: z.string(),
  stats: datasetStats,
});

export const versionComparison = z.object({
  a: compareSide,
  b: compareSide,
  onlyInA: count,
  onlyInB: count,
  sameContent: z.boolean(),
});

/** What a transform would make (`previewTransform` in preview.ts): nothing is written. */
export const transformPreviewOut = z.object({
  operation: z.enum(["mask", "dedupe", "filter", "split"]),
  /** Examples in the version the transform starts from. */
  parentExamples: count,
  /** Examples the new version would hold. */
  examples: count,
  report: versionReport,
  /** Mask only: the first changed examples, by position (0-based) in the version. */
  samples: z.array(z.object({ position: count, before: datasetExampleOut, after: datasetExampleOut })),
});
export type TransformPreviewOut = z.infer<typeof transformPreviewOut>;
