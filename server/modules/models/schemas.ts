import { z } from "zod";
import { generationParams } from "@/lib/generation-params";
import { PROVIDERS, TASKS } from "@/lib/models";
import { versionNumber } from "@/lib/version-number";
import { LATEST } from "@/server/modules/models/refs";

const modelName = z
  .string()
  .trim()
  .min(1, "Name is required")
  .max(100, "Name must be at most 100 characters")
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._/-]*$/,
    "Use letters, digits, '.', '_', '-' and '/' (starting with a letter or digit)",
  );
export const aliasName = z
  .string()
  .trim()
  .min(1, "Alias is required")
  .max(40, "Alias must be at most 40 characters")
  .regex(/^[a-z0-9-]+$/, "Aliases use lowercase letters, digits and '-'")
  .refine((name) => name !== LATEST, `'${LATEST}' is reserved: name@${LATEST} always means the newest version`);
const price = z.number().min(0, "Prices cannot be negative").max(1_000_000).nullable().optional();

const modelTags = z.array(z.string().trim().min(1).max(40)).max(20);
const modelDescription = z.string().max(5000);

/** What a model says about itself, changeable after registration. No defaults here: see updateModelInput. */
const modelMetadata = {
  task: z.enum(TASKS, { message: `Task must be one of: ${TASKS.join(", ")}` }),
  contextLength: z.number().int().min(1).max(10_000_000).nullable().optional(),
  license: z.string().trim().max(100).nullable().optional(),
  priceInputPerMTok: price,
  priceOutputPerMTok: price,
  /** Input tokens read from / written to the provider's prompt cache; null: priced at the input price. */
  priceCachedInputPerMTok: price,
  priceCacheWritePerMTok: price,
  pricePerComputeSecond: price,
  tags: modelTags,
  description: modelDescription,
};

export const createModelInput = z.object({
  name: modelName,
  provider: z.enum(PROVIDERS, { message: `Provider must be one of: ${PROVIDERS.join(", ")}` }),
  ...modelMetadata,
  tags: modelTags.default([]),
  description: modelDescription.default(""),
});

/**
 * PATCH: only the fields sent change. Built from the fields without their defaults, not from
 * `createModelInput.partial()`: zod keeps inner `.default()`s through `.partial()`, so an omitted `tags` or
 * `description` would come back as [] / "" and wipe what is stored.
 */
export const updateModelInput = z
  .object(modelMetadata)
  .partial()
  .extend({ id: z.string().uuid("id must be a UUID") });

export type { GenerationParams } from "@/lib/generation-params";
// Browser-safe (the playground checks its parameters as they are typed): defined in lib/.
export { generationParams };

export const createVersionInput = z.object({
  modelId: z.string().uuid("modelId must be a UUID"),
  /** onnx-local: the stored artifact this version runs. */
  artifactId: z.string().uuid("artifactId must be a UUID").optional(),
  /** Upstream providers: where to call and as which model. */
  /** http(s) only, ending at its path (no `?`/`#`); where it may point is checked when the version is created. */
  endpointBaseUrl: z
    .url({ protocol: /^https?$/, error: "endpointBaseUrl must be an http(s) URL" })
    .max(500)
    .refine((url) => !/[?#]/.test(url), "endpointBaseUrl must not contain '?' or '#' (a base URL ends at its path)")
    .optional(),
  upstreamModelId: z.string().trim().min(1).max(200).optional(),
  /** Stored encrypted; never returned. */
  apiKey: z.string().min(1).max(500).optional(),
  defaultParams: generationParams.default({}),
  /** onnx-local: which of the artifact's decoders runs (a variant such as `q4`, `fp16`, or a file); default: by device. */
  onnxVariant: z.string().trim().min(1).max(200).nullable().optional(),
  baseVersionId: z.string().uuid().nullable().optional(),
  datasetVersionId: z.string().uuid("datasetVersionId must be a UUID").nullable().optional(),
  fineTuneJobId: z.string().uuid("fineTuneJobId must be a UUID").nullable().optional(),
  source: z.string().max(500).nullable().optional(),
  notes: z.string().max(5000).default(""),
});

export const moveAliasInput = z.object({
  modelId: z.string().uuid("modelId must be a UUID"),
  alias: aliasName,
  version: versionNumber,
  reason: z.string().max(500).default(""),
  /** Move despite the alias's release policy (owners and admins; `reason` says why and is recorded). */
  overridePolicy: z.boolean().default(false),
});

export const deleteAliasInput = z.object({
  modelId: z.string().uuid(),
  alias: aliasName,
  reason: z.string().max(500).default(""),
});

export const listModelsInput = z.object({
  page: z.number().int().min(1).default(1),
  pageSize: z.number().int().min(1).max(100).default(20),
  search: z.string().max(100).optional(),
  provider: z.enum(PROVIDERS).optional(),
  task: z.enum(TASKS).optional(),
});

const decimal = z.number().nullable();

export const versionSummary = z.object({
  id: z.string(),
  version: z.number().int(),
  artifactId: z.string().nullable(),
  artifactSha256: z.string().nullable(),
  endpointBaseUrl: z.string().nullable(),
  upstreamModelId: z.string().nullable(),
  hasApiKey: z.boolean(),
  defaultParams: generationParams,
  onnxVariant: z.string().nullable(),
  baseVersionId: z.string().nullable(),
  datasetVersionId: z.string().nullable(),
  fineTuneJobId: z.string().nullable(),
  source: z.string().nullable(),
  notes: z.string(),
  createdByLabel: z.string(),
  createdAt: z.date(),
  aliases: z.array(z.string()),
});

export const modelSummary = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.enum(PROVIDERS),
  task: z.enum(TASKS),
  contextLength: z.number().int().nullable(),
  license: z.string().nullable(),
  priceInputPerMTok: decimal,
  priceOutputPerMTok: decimal,
  priceCachedInputPerMTok: decimal,
  priceCacheWritePerMTok: decimal,
  pricePerComputeSecond: decimal,
  tags: z.array(z.string()),
  description: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
  latestVersion: z.number().int().nullable(),
  aliases: z.array(z.object({ name: z.string(), version: z.number().int() })),
});

export const modelDetail = modelSummary.extend({ versions: z.array(versionSummary) });

export const aliasEvent = z.object({
  id: z.string(),
  alias: z.string(),
  fromVersion: z.number().int().nullable(),
  toVersion: z.number().int().nullable(),
  reason: z.string(),
  actorLabel: z.string(),
  createdAt: z.date(),
});

/**
 * Try an upstream before (or after) registering it: a stored version by id (its own key), or an endpoint and
 * model id as typed in the new-version form. Nothing is written.
 */
export const testConnectionInput = z.object({
  modelId: z.string().uuid("modelId must be a UUID"),
  versionId: z.string().uuid("versionId must be a UUID").optional(),
  endpointBaseUrl: createVersionInput.shape.endpointBaseUrl,
  upstreamModelId: createVersionInput.shape.upstreamModelId,
  apiKey: createVersionInput.shape.apiKey,
});

const CONNECTION_OUTCOMES = [
  "reachable",
  "auth_failed",
  "not_found",
  "timeout",
  "unreachable",
  "refused",
  "error",
] as const;

export const connectionResult = z.object({
  outcome: z.enum(CONNECTION_OUTCOMES),
  /** What happened, in words, for the form to show. */
  message: z.string(),
  /** From sending the request to its answer (or failure); null when nothing was sent. */
  latencyMs: z.number().nullable(),
  /** The upstream's HTTP status, when it answered. */
  httpStatus: z.number().int().nullable(),
});
