import type { z } from "zod";
import type { Db } from "@/server/db";
import { DomainError, notFound } from "@/server/errors";
import { Prisma } from "@/server/generated/prisma/client";
import { copyImport } from "@/server/modules/datasets/copy-import";
import {
  assertImportable,
  type ByteSource,
  decideImport,
  exportJsonlStream,
  importJsonl,
} from "@/server/modules/datasets/core";
import type { DatasetExampleOut } from "@/server/modules/datasets/output-schemas";
import type { importQuery, versionOut } from "@/server/modules/datasets/schemas";
import { finishVersion, inSqlTransaction, openDataset, startVersion } from "@/server/modules/datasets/sql";
import { modelTokenCounter } from "@/server/modules/datasets/tokenizer";
import { readExamples } from "@/server/modules/datasets/versions";
import type { ProjectDeps, ServiceDeps } from "@/server/modules/deps";
import { paged } from "@/server/pagination";
import { takeImportSlot } from "./import-slots";

type VersionOut = z.infer<typeof versionOut>;
type VersionRow = Awaited<ReturnType<Db["datasetVersion"]["findFirstOrThrow"]>>;
export function toVersionOut(v: VersionRow, parentVersion: number | null): VersionOut {
  return {
    id: v.id,
    version: v.version,
    parentId: v.parentId,
    parentVersion,
    operation: v.operation,
    params: (v.params ?? {}) as VersionOut["params"],
    contentHash: v.contentHash,
    exampleCount: v.exampleCount,
    stats: (v.stats ?? {}) as VersionOut["stats"],
    report: (v.report ?? {}) as VersionOut["report"],
    createdByLabel: v.createdByLabel,
    createdAt: v.createdAt,
  };
}

export async function listDatasets(deps: ProjectDeps) {
  const rows = await deps.db.dataset.findMany({
    where: { projectId: deps.caller.projectId },
    orderBy: { updatedAt: "desc" },
    include: { versions: { orderBy: { version: "desc" } } },
  });
  return rows.map((d) => {
    const byId = new Map(d.versions.map((v) => [v.id, v.version]));
    return {
      id: d.id,
      name: d.name,
      description: d.description,
      format: d.format,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
      latestVersion: d.versions[0]?.version ?? null,
      exampleCount: d.versions[0]?.exampleCount ?? null,
      versions: d.versions.map((v) => toVersionOut(v, v.parentId ? (byId.get(v.parentId) ?? null) : null)),
    };
  });
}

export async function getDataset(deps: ProjectDeps, { id }: { id: string }) {
  const found = (await listDatasets(deps)).find((d) => d.id === id);
  if (!found) throw notFound("Dataset", id);
  return found;
}

export async function findVersion(db: Db, projectId: string, versionId: string) {
  const version = await db.datasetVersion.findFirst({
    where: { id: versionId, dataset: { projectId } },
    include: { dataset: true },
  });
  if (!version) throw notFound("Dataset version", versionId);
  return version;
}

/**
 * Imports a JSONL stream as a new version (of a new or existing dataset), in
 * one transaction, streaming the examples into PostgreSQL with COPY: in strict
 * mode any error rolls everything back and the error lists the offending
 * lines; in lenient mode the good lines are kept and the rejected ones are
 * reported on the version, unless more than `maxRejectedFraction` of the
 * lines are bad (then nothing is stored either).
 */
export async function importDataset(deps: ServiceDeps, input: z.infer<typeof importQuery> & { source: ByteSource }) {
  // Each import holds a database connection while it uploads: bounded per project and in all (./import-slots.ts).
  const release = takeImportSlot(deps.caller.projectId);
  try {
    return await importWithSlot(deps, input);
  } finally {
    release();
  }
}

async function importWithSlot(
  deps: ServiceDeps,
  { source, ...query }: z.infer<typeof importQuery> & { source: ByteSource },
) {
  const { caller } = deps;
  if (!query.datasetId && !query.name)
    throw new DomainError("VALIDATION", "Give a dataset name (new dataset) or datasetId (new version)", [
      { path: "name", message: "Required for a new dataset" },
    ]);
  const countTokens = query.tokenizer ? await modelTokenCounter(deps, caller.projectId, query.tokenizer) : undefined;
  const upload = importJsonl(source, { format: query.format, countTokens, maxTokensPerExample: query.maxTokens });
  const policy = { mode: query.mode, maxRejectedFraction: query.maxRejectedFraction };
  const writer = { projectId: caller.projectId, actor: caller.actor };
  const { datasetId, versionId } = await inSqlTransaction(deps.db, async (client) => {
    const dataset = await openDataset(client, caller.projectId, query);
    if (!dataset) throw notFound("Dataset", query.datasetId);
    const draft = {
      datasetId: dataset.id,
      parentId: null,
      operation: "import",
      params: {
        format: query.format,
        mode: query.mode,
        ...(query.mode === "lenient" ? { maxRejectedFraction: query.maxRejectedFraction } : {}),
        tokenizer: query.tokenizer ?? "rough",
        maxTokens: query.maxTokens,
      },
    };
    const versionId = await startVersion(client, writer, draft);
    const examples = await copyImport(client, versionId, upload, { stopAfterError: query.mode === "strict" });
    const result = upload.result();
    assertImportable(result.issues, policy);
    const report: VersionOut["report"] = {
      issues: result.issues,
      decision: decideImport(result.issues, policy).reason,
      bytes: result.bytes,
      format: result.format,
    };
    await finishVersion(
      client,
      writer,
      { ...draft, versionId },
      { contentHash: result.contentHash, examples, stats: result.stats, report, format: result.format },
    );
    return { datasetId: dataset.id, versionId };
  });
  const saved = await deps.db.datasetVersion.findUniqueOrThrow({ where: { id: versionId } });
  return { datasetId, version: toVersionOut(saved, null) };
}

export async function listExamples(
  deps: ProjectDeps,
  input: { versionId: string; page: number; pageSize: number; search?: string; split?: string },
) {
  await findVersion(deps.db, deps.caller.projectId, input.versionId);
  // Search: a case-insensitive substring of any message's content, read from the example itself.
  const where = Prisma.sql`m.version_id = ${input.versionId}::uuid
    ${input.split ? Prisma.sql`AND m.split = ${input.split}` : Prisma.empty}
    ${
      input.search
        ? Prisma.sql`AND EXISTS (SELECT 1 FROM jsonb_array_elements(e.example->'messages') AS msg
                                  WHERE strpos(lower(msg->>'content'), lower(${input.search})) > 0)`
        : Prisma.empty
    }`;
  const from = Prisma.sql`dataset_version_examples m
    JOIN dataset_examples e ON e.version_id = m.source_version_id AND e.position = m.source_position`;
  type Row = { position: number; example: unknown; tokens: number; split: string | null; hash: string };
  return paged(
    input,
    (window) =>
      deps.db.$queryRaw<Row[]>`SELECT m.position, e.example, e.tokens, m.split, e.hash FROM ${from}
        WHERE ${where} ORDER BY m.position LIMIT ${window.take} OFFSET ${window.skip}`,
    async () =>
      Number((await deps.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM ${from} WHERE ${where}`)[0].n),
    (r) => ({
      position: r.position,
      example: r.example as DatasetExampleOut,
      tokens: r.tokens,
      split: r.split,
      hash: r.hash,
    }),
  );
}

/** The version (or one split) as OpenAI chat JSONL, streamed. */
export async function exportVersion(deps: ProjectDeps, { versionId, split }: { versionId: string; split?: string }) {
  const version = await findVersion(deps.db, deps.caller.projectId, versionId);
  const examples = (async function* () {
    for await (const r of readExamples(deps.db, version.id, split ? { split } : {})) yield r.example;
  })();
  return { version, stream: exportJsonlStream(examples) };
}
