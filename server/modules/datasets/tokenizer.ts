import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import type { Manifest } from "@/server/modules/artifacts/blob-store";
import { artifactStore } from "@/server/modules/artifacts/store";
import type { CountTokens } from "@/server/modules/datasets/core";
import { ModelTokenizer } from "@/server/modules/inference/tokenizer";
import { resolveModelRef } from "@/server/modules/models/service";

/**
 * Token counting with a registered local model's own tokenizer (`name`,
 * `name@alias`, `name@3`), for per-example token limits and statistics.
 */
export async function modelTokenCounter(deps: { db: Db }, projectId: string, ref: string): Promise<CountTokens> {
  const { model, version } = await resolveModelRef(deps, projectId, ref);
  const artifact = version.artifactId
    ? await deps.db.modelArtifact.findUnique({ where: { id: version.artifactId } })
    : null;
  if (!artifact)
    throw new DomainError(
      "VALIDATION",
      `${model.name} has no local tokenizer (only onnx-local models can count tokens here)`,
      [{ path: "tokenizer", message: "Choose a local ONNX model" }],
    );
  const dir = await artifactStore().materialize(artifact.sha256, artifact.manifest as Manifest);
  const json = JSON.parse(await readFile(path.join(dir, "tokenizer.json"), "utf8"));
  const config = JSON.parse(await readFile(path.join(dir, "tokenizer_config.json"), "utf8").catch(() => "{}"));
  const tokenizer = new ModelTokenizer(json, config, null);
  return (text) => tokenizer.encode(text, false).length;
}
