/**
 * What the in-process engine's encoders serve: embeddings (`/v1/embeddings`) and rerank scores (`/v1/rerank`) of an
 * `onnx_local` model version. Each served request is also recorded as an inference run (source `gateway`), as the
 * playground's runs are, with the device it ran on.
 */
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import { runCost } from "@/server/modules/runs/cost";
import type { LocalArtifact } from "@/server/modules/runs/local-encoder";
import type { ServedVersion } from "./target";

/** The version's artifact as `runs/local-encoder.ts` takes it. */
export function localArtifact(version: ServedVersion): LocalArtifact {
  const artifact = version.artifact;
  if (!artifact) throw new DomainError("UNPROCESSABLE", `'${version.model.name}@${version.version}' has no artifact`);
  return { sha256: artifact.sha256, manifest: artifact.manifest, label: `${version.model.name}@${version.version}` };
}

/** OpenAI's `encoding_format: base64`: the float32 values' little-endian bytes. */
export function toBase64(vector: Float32Array): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i], i * 4);
  return bytes.toString("base64");
}

export interface LocalRun {
  device: string;
  durationMs: number;
  tokens: number;
}

/** USD for a local run: local models are priced per compute second (or per input token when that is what is set). */
export function localCost(version: ServedVersion, run: LocalRun): number {
  const model = version.model;
  return runCost(
    {
      priceInputPerMTok: model.priceInputPerMTok?.toNumber() ?? null,
      priceOutputPerMTok: null,
      pricePerComputeSecond: model.pricePerComputeSecond?.toNumber() ?? null,
    },
    { tokensIn: run.tokens, tokensOut: 0, durationMs: run.durationMs },
  );
}

/** One `inference_runs` row, as the playground writes (server/modules/runs/service.ts), with source `gateway`. */
export function recordLocalRun(db: Db, projectId: string, version: ServedVersion, run: LocalRun, costUsd: number) {
  return db.inferenceRun.create({
    data: {
      projectId,
      modelVersionId: version.id,
      source: "gateway",
      device: run.device,
      ttftMs: null,
      tpotMs: null,
      // Input tokens read per second: the figure that compares encoders.
      tokensPerSecond: run.durationMs > 0 ? (run.tokens * 1000) / run.durationMs : null,
      durationMs: run.durationMs,
      tokensIn: run.tokens,
      tokensOut: 0,
      costUsd,
      finishReason: "stop",
      error: null,
    },
  });
}
