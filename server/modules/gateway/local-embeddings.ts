/**
 * What the in-process engine's encoders serve: embeddings (`/v1/embeddings`) and rerank scores (`/v1/rerank`) of an
 * `onnx_local` model version. Each served request is also recorded as an inference run (source `gateway`), as the
 * playground's runs are, with the device it ran on.
 */
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import type { Manifest } from "@/server/modules/artifacts/blob-store";
import { artifactStore } from "@/server/modules/artifacts/store";
import type { ModelRef } from "@/server/modules/inference/engine";
import { runCost } from "@/server/modules/runs/cost";
import type { ServedVersion } from "./target";

/** Why a local version cannot serve `task` (its registered task differs), or null. */
export function localTaskRefusal(version: ServedVersion, task: "embedding" | "classification", route: string) {
  if (version.model.task === task) return null;
  const label = `${version.model.name}@${version.version}`;
  return `'${label}' is a ${version.model.task} model; ${route} serves local models registered with task '${task}'`;
}

/** The engine's handle on the version's artifact, materialised once into a folder. */
export async function encoderRef(version: ServedVersion): Promise<ModelRef> {
  const artifact = version.artifact;
  if (!artifact) throw new DomainError("UNPROCESSABLE", `'${version.model.name}@${version.version}' has no artifact`);
  const dir = await artifactStore().materialize(artifact.sha256, artifact.manifest as Manifest);
  return { dir, key: artifact.sha256, name: `${version.model.name}@${version.version}` };
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
