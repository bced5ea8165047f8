import { z } from "zod";

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
    variant: z.record(z.string(), z.unknown()),
  }),
});
export type ArtifactSummary = z.infer<typeof artifactSummary>;

export const importFolderInput = z.object({
  path: z.string().min(1, "Give the folder's absolute path on the server").max(1000),
});
