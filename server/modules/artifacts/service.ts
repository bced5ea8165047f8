import { randomUUID } from "node:crypto";
import { copyFile, mkdir, realpath, rm, stat } from "node:fs/promises";
import path from "node:path";
import { env } from "@/server/env";
import { DomainError, notFound } from "@/server/errors";
import type { Prisma } from "@/server/generated/prisma/client";
import { type BlobStore, type Manifest, manifestSha256 } from "@/server/modules/artifacts/blob-store";
import { keptFilesIn } from "@/server/modules/artifacts/files";
import type { ArtifactSummary } from "@/server/modules/artifacts/schemas";
import { artifactsRoot } from "@/server/modules/artifacts/store";
import { recordAudit } from "@/server/modules/audit/service";
import type { ProjectDeps, ServiceDeps } from "@/server/modules/deps";
import { artifactVariants } from "@/server/modules/inference/artifact/choose";
import { inspectArtifact } from "@/server/modules/inference/artifact/inspect";
import { type EncoderInfo, inspectEncoder } from "@/server/modules/inference/embeddings/encoder-folder";
import type { ArtifactInfo } from "@/server/modules/inference/types";

type Deps = ServiceDeps & { store: BlobStore };

/** A fresh folder for one upload, removed whatever happens to it. */
export async function withStagingDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = path.join(artifactsRoot(), "staging", randomUUID());
  await mkdir(dir, { recursive: true });
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type ArtifactRow = {
  id: string;
  sha256: string;
  sizeBytes: bigint;
  manifest: unknown;
  inspection: unknown;
  createdAt: Date;
};

/** What every artifact summary says, decoder or encoder. */
function summaryBase(row: ArtifactRow, deduplicated: boolean) {
  return {
    id: row.id,
    sha256: row.sha256,
    sizeBytes: Number(row.sizeBytes),
    files: Object.keys(row.manifest as Manifest).sort(),
    deduplicated,
    createdAt: row.createdAt,
  };
}

function toSummary(row: ArtifactRow, deduplicated: boolean): ArtifactSummary {
  const info = row.inspection as ArtifactInfo | EncoderInfo;
  if ("kind" in info) return encoderSummary(row, info, deduplicated);
  return {
    ...summaryBase(row, deduplicated),
    inspection: {
      parameterCount: info.parameterCount,
      opset: info.opset,
      hasKvCache: info.hasKvCache,
      contextLength: info.contextLength,
      modelType: info.modelType,
      hasChatTemplate: info.chatTemplate !== null,
      inputs: info.inputs,
      outputs: info.outputs,
      variant: info.variant,
      // Artifacts inspected before variants existed had one decoder: files.model.
      modelFile: info.files.model,
      modelVariant: info.modelVariant ?? "fp32",
      variants: artifactVariants(info),
      externalData: info.externalData ?? [],
      contextLengthSource: info.contextLengthSource ?? null,
    },
  };
}

/**
 * A causal LM's ArtifactInfo, else an encoder's (embeddings or a reranker: inference/embeddings). A folder that is
 * neither gets the decoder's refusal, with the encoder's reason too unless the graph is a causal LM's.
 */
async function inspectFolder(dir: string): Promise<ArtifactInfo | EncoderInfo> {
  try {
    return await inspectArtifact(dir);
  } catch (decoderError) {
    if (!(decoderError instanceof DomainError) || decoderError.code !== "UNPROCESSABLE") throw decoderError;
    try {
      return await inspectEncoder(dir);
    } catch (encoderError) {
      if (!(encoderError instanceof DomainError) || /causal LM/.test(encoderError.message)) throw decoderError;
      if (encoderError.message === decoderError.message) throw decoderError;
      throw new DomainError(
        "UNPROCESSABLE",
        `${decoderError.message}; as an encoder (embeddings, rerank): ${encoderError.message}`,
      );
    }
  }
}

/** The summary of an encoder artifact: no KV cache, chat template or decoder variant; `encoder` says how it pools. */
function encoderSummary(row: ArtifactRow, info: EncoderInfo, deduplicated: boolean): ArtifactSummary {
  return {
    ...summaryBase(row, deduplicated),
    inspection: {
      parameterCount: info.parameterCount,
      opset: info.opset,
      hasKvCache: false,
      contextLength: info.maxLength,
      modelType: info.modelType,
      hasChatTemplate: false,
      inputs: info.inputs,
      outputs: info.outputs,
      variant: null,
      modelFile: info.modelFile,
      modelVariant: "fp32",
      variants: [{ name: "fp32", file: info.modelFile }],
      externalData: [],
      contextLengthSource: null,
      encoder: {
        kind: info.kind,
        output: info.output?.name ?? null,
        pooling: info.pooling.modes,
        normalize: info.pooling.normalize,
      },
    },
  };
}

/**
 * Inspects a staged model folder and, only if it is a loadable ONNX causal LM
 * or encoder (embeddings, rerank) with a tokenizer, stores its files content-addressed and records the
 * artifact. A rejected folder leaves nothing behind (the caller's staging
 * folder is removed by `withStagingDir`). The same files uploaded twice give
 * the same artifact.
 */
export async function ingestArtifact(deps: Deps, { stagingDir }: { stagingDir: string }): Promise<ArtifactSummary> {
  const { caller } = deps;
  const info = await inspectFolder(stagingDir);
  const names = await keptFilesIn(stagingDir);
  const manifest: Manifest = {};
  let sizeBytes = 0;
  for (const name of names) {
    const stored = await deps.store.put(path.join(stagingDir, name));
    manifest[name] = stored.sha256;
    sizeBytes += stored.sizeBytes;
  }
  const sha256 = manifestSha256(manifest);
  const existing = await deps.db.modelArtifact.findUnique({
    where: { projectId_sha256: { projectId: caller.projectId, sha256 } },
  });
  if (existing) return toSummary(existing, true);
  const row = await deps.db.$transaction(async (tx) => {
    const created = await tx.modelArtifact.create({
      data: {
        projectId: caller.projectId,
        sha256,
        sizeBytes,
        manifest,
        inspection: info as unknown as Prisma.InputJsonValue,
      },
    });
    await recordAudit(tx, caller.actor, {
      projectId: caller.projectId,
      action: "artifact.create",
      targetType: "artifact",
      targetId: created.id,
      summary: { sha256, sizeBytes, files: names, parameters: info.parameterCount },
    });
    return created;
  });
  return toSummary(row, false);
}

/** Folders the server may import from: SWITCHYARD_IMPORT_DIRS (colon-separated), else <data dir>/import. */
function importRoots(): string[] {
  const configured = process.env.SWITCHYARD_IMPORT_DIRS?.split(":").filter(Boolean);
  return (configured?.length ? configured : [path.join(env().SWITCHYARD_DATA_DIR, "import")]).map((p) =>
    path.resolve(/* turbopackIgnore: true */ p),
  );
}

const isUnder = (target: string, roots: string[]) =>
  roots.some((root) => target === root || target.startsWith(`${root}${path.sep}`));

/**
 * The one answer for a path that is missing, outside the import folders, or leads outside them through a
 * symlink: which of these it is would tell the caller what exists elsewhere on the server's disk.
 */
function notImportable(folder: string, roots: string[]): DomainError {
  return new DomainError(
    "NOT_FOUND",
    `No folder at ${folder} under the import folders (${roots.join(", ")}; SWITCHYARD_IMPORT_DIRS)`,
    [{ path: "path", message: "Not a folder under the import folders" }],
  );
}

/** The real path (symlinks resolved) of `target` when it is under the real import roots; else null. */
async function confined(target: string, realRoots: string[]): Promise<string | null> {
  const real = await realpath(target).catch(() => null);
  return real && isUnder(real, realRoots) ? real : null;
}

/**
 * Registers a model folder already on the server's disk, confined to the import roots after symlinks are
 * resolved, for the folder and for every file taken from it (a `model.onnx` linking to /etc/shadow is refused).
 * The files are copied from their resolved paths. Whoever can write into an import folder can still swap a
 * path between the check and the copy; the import folders are meant for the server's operators only.
 */
export async function importServerFolder(deps: Deps, { folder }: { folder: string }): Promise<ArtifactSummary> {
  if (!path.isAbsolute(folder))
    throw new DomainError("VALIDATION", "Give an absolute path", [{ path: "path", message: "Must be absolute" }]);
  const roots = importRoots();
  const realRoots = (await Promise.all(roots.map((r) => realpath(r).catch(() => null)))).filter(
    (r): r is string => r !== null,
  );
  // Outside the roots as written (`..` resolved) the disk is not even looked at.
  if (!isUnder(path.resolve(folder), [...roots, ...realRoots])) throw notImportable(folder, roots);
  const real = await confined(folder, realRoots);
  if (!real) throw notImportable(folder, roots);
  if (!(await stat(real)).isDirectory())
    throw new DomainError("VALIDATION", `${folder} is not a folder`, [{ path: "path", message: "Not a folder" }]);
  const files: { name: string; from: string }[] = [];
  for (const name of await keptFilesIn(real)) {
    const from = await confined(path.join(real, name), realRoots);
    if (!from || !(await stat(from)).isFile())
      throw new DomainError(
        "UNPROCESSABLE",
        `${name} in ${folder} is not a file under the import folders (a link out of them is not followed)`,
        [{ path: "path", message: `${name} is not a file under the import folders` }],
      );
    files.push({ name, from });
  }
  return withStagingDir(async (staging) => {
    for (const { name, from } of files) {
      await mkdir(path.dirname(path.join(staging, name)), { recursive: true });
      await copyFile(from, path.join(staging, name));
    }
    return ingestArtifact(deps, { stagingDir: staging });
  });
}

export async function listArtifacts(deps: ProjectDeps): Promise<ArtifactSummary[]> {
  const rows = await deps.db.modelArtifact.findMany({
    where: { projectId: deps.caller.projectId },
    orderBy: { createdAt: "desc" },
    take: 200,
  });
  return rows.map((r) => toSummary(r, false));
}

export async function getArtifact(deps: ProjectDeps, { id }: { id: string }): Promise<ArtifactSummary> {
  const row = await deps.db.modelArtifact.findFirst({ where: { id, projectId: deps.caller.projectId } });
  if (!row) throw notFound("Artifact", id);
  return toSummary(row, false);
}
