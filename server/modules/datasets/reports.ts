import type { Db, DbTx } from "@/server/db";
import { notFound } from "@/server/errors";
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
  for await (const row of readExamples(deps.db as unknown as DbTx, input.versionId)) counter.add(row.example);
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
  const [row] = await deps.db.$queryRaw<{ only_a: bigint; only_b: bigint }[]>`
    SELECT
      (SELECT count(DISTINCT hash) FROM dataset_examples x WHERE x.version_id = ${a.id}::uuid
         AND NOT EXISTS (SELECT 1 FROM dataset_examples y WHERE y.version_id = ${b.id}::uuid AND y.hash = x.hash)) AS only_a,
      (SELECT count(DISTINCT hash) FROM dataset_examples y WHERE y.version_id = ${b.id}::uuid
         AND NOT EXISTS (SELECT 1 FROM dataset_examples x WHERE x.version_id = ${a.id}::uuid AND x.hash = y.hash)) AS only_b`;
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
