import type { Db } from "@/server/db";
import { notFound } from "@/server/errors";
import { Prisma } from "@/server/generated/prisma/client";
import { KAnonymityCounter } from "@/server/modules/datasets/core";
import type { DatasetStatsOut, KAnonymityOut } from "@/server/modules/datasets/output-schemas";
import { readExamples } from "@/server/modules/datasets/versions";
import type { ProjectDeps } from "@/server/modules/deps";

async function ensureVersion(db: Db, projectId: string, id: string) {
  const version = await db.datasetVersion.findFirst({ where: { id, dataset: { projectId } } });
  if (!version) throw notFound("Dataset version", id);
  return version;
}

/** How identifiable examples are by a combination of metadata fields (quasi-identifiers). */
export async function kAnonymityReport(
  deps: ProjectDeps,
  input: { versionId: string; fields: string[]; k: number },
): Promise<KAnonymityOut> {
  const { projectId } = deps.caller;
  await ensureVersion(deps.db, projectId, input.versionId);
  const counter = new KAnonymityCounter(input.fields);
  for await (const row of readExamples(deps.db, input.versionId)) counter.add(row.example);
  // Group values come from stored metadata (jsonb), so they are JSON.
  return counter.report(input.k) as KAnonymityOut;
}

/** Two versions' counts side by side: examples only in one, in both, and their statistics. */
export async function compareVersions(deps: ProjectDeps, input: { a: string; b: string }) {
  const { projectId } = deps.caller;
  const [a, b] = await Promise.all([
    ensureVersion(deps.db, projectId, input.a),
    ensureVersion(deps.db, projectId, input.b),
  ]);
  const hashes = (versionId: string) => Prisma.sql`SELECT DISTINCT e.hash FROM dataset_version_examples m
    JOIN dataset_examples e ON e.version_id = m.source_version_id AND e.position = m.source_position
    WHERE m.version_id = ${versionId}::uuid`;
  const [row] = await deps.db.$queryRaw<{ only_a: bigint; only_b: bigint }[]>`
    SELECT (SELECT count(*) FROM (${hashes(a.id)} EXCEPT ${hashes(b.id)}) x) AS only_a,
           (SELECT count(*) FROM (${hashes(b.id)} EXCEPT ${hashes(a.id)}) y) AS only_b`;
  const side = (v: typeof a) => ({
    id: v.id,
    version: v.version,
    examples: v.exampleCount,
    contentHash: v.contentHash,
    stats: v.stats as DatasetStatsOut,
  });
  return {
    a: side(a),
    b: side(b),
    onlyInA: Number(row.only_a),
    onlyInB: Number(row.only_b),
    sameContent: a.contentHash === b.contentHash,
  };
}
