import type { Actor } from "@/server/auth/principal";
import type { DbTx } from "@/server/db";
import type { Prisma } from "@/server/generated/prisma/client";
import { recordAudit } from "@/server/modules/audit/service";
import { type DatasetExample, DatasetHasher, DatasetStats } from "@/server/modules/datasets/core";
import type { VersionParams, VersionReport } from "@/server/modules/datasets/output-schemas";

const BATCH = 500;

export interface VersionDraft {
  datasetId: string;
  parentId: string | null;
  operation: string;
  params: VersionParams;
  report: VersionReport;
}

export interface ExampleRow {
  example: DatasetExample;
  split?: string | null;
  tokens?: number;
}

/** Lower-cased message text, for the example browser's search. */
const searchText = (example: DatasetExample) =>
  example.messages
    .map((m) => m.content)
    .join("\n")
    .toLowerCase()
    .slice(0, 20_000);

/**
 * Writes a new immutable version from examples, inside the caller's
 * transaction: number = latest + 1, rows in batches, then the content hash,
 * count and statistics computed over exactly what was written.
 */
export async function writeVersion(
  tx: DbTx,
  caller: { projectId: string; actor: Actor },
  draft: VersionDraft,
  examples: AsyncIterable<ExampleRow>,
) {
  const last = await tx.datasetVersion.findFirst({
    where: { datasetId: draft.datasetId },
    orderBy: { version: "desc" },
    select: { version: true },
  });
  const version = await tx.datasetVersion.create({
    data: {
      datasetId: draft.datasetId,
      version: (last?.version ?? 0) + 1,
      parentId: draft.parentId,
      operation: draft.operation,
      params: draft.params as Prisma.InputJsonValue,
      contentHash: "",
      exampleCount: 0,
      createdById: caller.actor.userId,
      createdByLabel: caller.actor.label,
    },
  });
  const hasher = new DatasetHasher();
  const stats = new DatasetStats();
  let batch: Prisma.DatasetExampleCreateManyInput[] = [];
  let position = 0;
  for await (const row of examples) {
    const { hash } = hasher.add(row.example);
    stats.add(row.example, { hash, tokens: row.tokens });
    batch.push({
      versionId: version.id,
      position: position++,
      example: row.example as unknown as Prisma.InputJsonValue,
      hash,
      split: row.split ?? null,
      tokens: row.tokens ?? 0,
      search: searchText(row.example),
    });
    if (batch.length >= BATCH) {
      await tx.datasetExample.createMany({ data: batch });
      batch = [];
    }
  }
  if (batch.length) await tx.datasetExample.createMany({ data: batch });
  const { contentHash } = hasher.digest();
  const snapshot = stats.snapshot();
  const saved = await tx.datasetVersion.update({
    where: { id: version.id },
    data: {
      contentHash,
      exampleCount: position,
      stats: snapshot as unknown as Prisma.InputJsonValue,
      report: draft.report as Prisma.InputJsonValue,
    },
  });
  await recordAudit(tx, caller.actor, {
    projectId: caller.projectId,
    action: `dataset.${draft.operation}`,
    targetType: "datasetVersion",
    targetId: saved.id,
    summary: { version: saved.version, examples: position, contentHash, parentId: draft.parentId },
  });
  return saved;
}

/** A version's examples in order, read in pages (bounded memory). */
export async function* readExamples(
  tx: DbTx,
  versionId: string,
  where: { split?: string } = {},
): AsyncGenerator<{ example: DatasetExample; hash: string; tokens: number; split: string | null }> {
  let after = -1;
  for (;;) {
    const rows = await tx.datasetExample.findMany({
      where: { versionId, position: { gt: after }, ...(where.split ? { split: where.split } : {}) },
      orderBy: { position: "asc" },
      take: BATCH,
      select: { position: true, example: true, hash: true, tokens: true, split: true },
    });
    if (rows.length === 0) return;
    for (const r of rows)
      yield { example: r.example as unknown as DatasetExample, hash: r.hash, tokens: r.tokens, split: r.split };
    after = rows[rows.length - 1].position;
  }
}
