import { z } from "zod";

const idsType = z.enum(["int32", "int64"]);
const stateType = z.enum(["float32", "float16"]);

/** The export flavour `inspectArtifact` discovers (`ModelVariant` in server/modules/inference/types.ts). */
const modelVariant = z.object({
  idsType,
  attentionMask: idsType.nullable(),
  positionIds: idsType.nullable(),
  // Defaults: artifacts inspected before these fields existed are stored without them.
  cachePosition: idsType.nullable().default(null),
  tokenTypeIds: idsType.nullable().default(null),
  logitsToKeep: z
    .object({ name: z.enum(["logits_to_keep", "num_logits_to_keep"]), type: idsType, dims: z.array(z.number()) })
    .nullable()
    .default(null),
  useCacheBranch: z.boolean(),
  cacheLayout: z.enum(["per-layer", "combined"]).nullable(),
  cacheType: stateType.nullable(),
  convState: z.boolean(),
  ssmState: z.boolean().default(false),
  layers: z.number(),
  attentionLayers: z.array(z.number()).optional(),
  kvHeads: z.number().nullable(),
  headSize: z.number().nullable(),
  vocabSize: z.number(),
  logitsType: z.enum(["float32", "float16"]),
  state: z.array(
    z.object({
      input: z.string(),
      output: z.string(),
      kind: z.enum(["key", "value", "key_value", "conv", "ssm", "recurrent"]),
      layer: z.number(),
      type: stateType,
      initialDims: z.array(z.number()),
      batchAxis: z.number().optional(),
      sequenceAxis: z.number().nullable().optional(),
    }),
  ),
  description: z.string(),
});

export const artifactSummary = z.object({
  id: z.string(),
  sha256: z.string(),
  sizeBytes: z.number(),
  files: z.array(z.string()),
  /** True when identical files were already stored in this project: nothing new was written. */
  deduplicated: z.boolean(),
  createdAt: z.date(),
  inspection: z.object({
    parameterCount: z.number(),
    opset: z.number().nullable(),
    hasKvCache: z.boolean(),
    contextLength: z.number().nullable(),
    modelType: z.string().nullable(),
    hasChatTemplate: z.boolean(),
    inputs: z.array(z.object({ name: z.string(), type: z.string(), dims: z.array(z.union([z.number(), z.string()])) })),
    outputs: z.array(
      z.object({ name: z.string(), type: z.string(), dims: z.array(z.union([z.number(), z.string()])) }),
    ),
    /** Null for an encoder (embeddings, rerank), which `encoder` describes instead. */
    variant: modelVariant.nullable(),
    /** The decoder file that runs on CPU by default, and every decoder a version may pick (`onnxVariant`). */
    modelFile: z.string(),
    modelVariant: z.string(),
    variants: z.array(z.object({ name: z.string(), file: z.string() })),
    externalData: z.array(z.string()),
    /** Where contextLength came from: registry, position table, genai_config.json, config.json, tokenizer_config.json. */
    contextLengthSource: z.string().nullable(),
    encoder: z
      .object({
        kind: z.enum(["embedding", "rerank"]),
        output: z.string().nullable(),
        pooling: z.array(z.string()),
        normalize: z.boolean(),
      })
      .optional(),
  }),
});
export type ArtifactSummary = z.infer<typeof artifactSummary>;

export const importFolderInput = z.object({
  path: z.string().min(1, "Give the folder's absolute path on the server").max(1000),
});
