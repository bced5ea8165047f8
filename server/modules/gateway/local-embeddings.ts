/**
 * What the in-process engine's encoders serve: embeddings (`/v1/embeddings`) and rerank scores (`/v1/rerank`) of an
 * `onnx_local` model version. Each served request's log row carries the device it ran on (`request_log.device`), which
 * "Compare models" reads like every gateway generation's; nothing else is written on the request path.
 */
import { DomainError } from "@/server/errors";
import { runCost } from "@/server/modules/runs/cost";
import type { LocalArtifact } from "@/server/modules/runs/local-encoder";
import type { GatewayRequest } from "./request-scope";
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
function localCost(version: ServedVersion, run: LocalRun): number {
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

/** Finishes the log row of a served local encoder request (tokens read, cost, device); returns the cost. */
export function finishLocal(
  scope: GatewayRequest,
  version: ServedVersion,
  run: LocalRun,
  responseBody: Record<string, unknown>,
): number {
  const costUsd = localCost(version, run);
  scope.finish({
    status: 200,
    deployment: `local:${run.device}`,
    device: run.device,
    tokensIn: run.tokens,
    tokensOut: 0,
    costUsd,
    responseBody,
  });
  return costUsd;
}
