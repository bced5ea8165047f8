import type { AbortLike } from "@/server/abort";
import type { Manifest } from "@/server/modules/artifacts/blob-store";
import { artifactStore } from "@/server/modules/artifacts/store";
import { truncateDimensions } from "@/server/modules/inference/embeddings/pooling";
import { getInferenceEngine, type ModelRef } from "@/server/modules/inference/engine";

/** A stored encoder artifact and a label for messages ("model X is busy"). */
export interface LocalArtifact {
  sha256: string;
  manifest: unknown;
  label: string;
}

async function refOf(artifact: LocalArtifact): Promise<ModelRef> {
  const dir = await artifactStore().materialize(artifact.sha256, artifact.manifest as Manifest);
  return { dir, key: artifact.sha256, name: artifact.label };
}

/**
 * Embeds with a stored encoder artifact in-process (materialised once, loaded once per hash, queued per model):
 * one vector per input, cut to `dimensions` and renormalised when asked (the caller checks it against the width).
 */
export async function embedLocal(
  artifact: LocalArtifact,
  inputs: (string | number[])[],
  options: { dimensions?: number; signal?: AbortLike },
) {
  const result = await getInferenceEngine().embed(await refOf(artifact), inputs, options.signal);
  const width = result.vectors[0]?.length ?? 0;
  const { dimensions } = options;
  const vectors =
    dimensions != null && dimensions < width
      ? result.vectors.map((v) => truncateDimensions(v, dimensions))
      : result.vectors;
  return { ...result, vectors, width };
}

/** A stored cross-encoder's relevance score (sigmoid of its logit) of each document for the query. */
export async function rerankLocal(artifact: LocalArtifact, query: string, documents: string[], signal?: AbortLike) {
  return getInferenceEngine().rerank(await refOf(artifact), query, documents, signal);
}
