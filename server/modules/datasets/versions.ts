import type pg from "pg";
import type { Db } from "@/server/db";
import { type DatasetExample, DatasetHasher, DatasetStats } from "@/server/modules/datasets/core";

const BATCH = 1000;

/** Where an example row lives: the version that wrote it and its position there. */
interface ExampleSource {
  versionId: string;
  position: number;
}

export interface StoredExample {
  example: DatasetExample;
  hash: string;
  tokens: number;
  split: string | null;
  source: ExampleSource;
}

/** One row of a version being derived; `source` set = the same content as that stored row, shared, not copied. */
export interface ExampleRow {
  example: DatasetExample;
  tokens: number;
  split?: string | null;
  source?: ExampleSource;
  /** The source's example hash: when the row's content still hashes to it, the source row is shared. */
  hash?: string;
}

/** A version's examples in order, read in pages (bounded memory); versions are immutable, so any connection will do. */
export async function* readExamples(
  db: Db,
  versionId: string,
  where: { split?: string } = {},
): AsyncGenerator<StoredExample> {
  let after = -1;
  for (;;) {
    const rows = await db.datasetVersionExample.findMany({
      where: { versionId, position: { gt: after }, ...(where.split ? { split: where.split } : {}) },
      orderBy: { position: "asc" },
      take: BATCH,
      select: {
        position: true,
        split: true,
        sourceVersionId: true,
        sourcePosition: true,
        example: { select: { example: true, hash: true, tokens: true } },
      },
    });
    if (rows.length === 0) return;
    for (const r of rows)
      yield {
        example: r.example.example as unknown as DatasetExample,
        hash: r.example.hash,
        tokens: r.example.tokens,
        split: r.split,
        source: { versionId: r.sourceVersionId, position: r.sourcePosition },
      };
    after = rows[rows.length - 1].position;
  }
}

/**
 * Writes a derived version's rows on the transaction's connection, in
 * batches: a row whose content is unchanged points at its source row; only
 * changed content (a mask that found something) becomes a new example row,
 * owned by this version. Hash and statistics are computed over exactly what
 * is written.
 */
export async function writeDerivedRows(client: pg.PoolClient, versionId: string, rows: AsyncIterable<ExampleRow>) {
  const hasher = new DatasetHasher();
  const stats = new DatasetStats();
  const fresh = { position: [] as number[], example: [] as string[], hash: [] as string[], tokens: [] as number[] };
  const members = {
    position: [] as number[],
    sourceVersion: [] as string[],
    sourcePosition: [] as number[],
    split: [] as (string | null)[],
  };
  let position = 0;
  const flush = async () => {
    if (fresh.position.length > 0) {
      await client.query(
        `INSERT INTO dataset_examples (version_id, position, example, hash, tokens)
         SELECT $1, * FROM unnest($2::int[], $3::jsonb[], $4::text[], $5::int[])`,
        [versionId, fresh.position, fresh.example, fresh.hash, fresh.tokens],
      );
      for (const list of Object.values(fresh)) list.length = 0;
    }
    if (members.position.length > 0) {
      await client.query(
        `INSERT INTO dataset_version_examples (version_id, position, source_version_id, source_position, split)
         SELECT $1, * FROM unnest($2::int[], $3::uuid[], $4::int[], $5::text[])`,
        [versionId, members.position, members.sourceVersion, members.sourcePosition, members.split],
      );
      for (const list of Object.values(members)) list.length = 0;
    }
  };
  for await (const row of rows) {
    const { hash } = hasher.add(row.example);
    stats.add(row.example, { hash, tokens: row.tokens });
    // Transforms never touch metadata, so an unchanged training hash means an unchanged record.
    const source = row.source && row.hash === hash ? row.source : undefined;
    if (!source) {
      fresh.position.push(position);
      fresh.example.push(JSON.stringify(row.example));
      fresh.hash.push(hash);
      fresh.tokens.push(row.tokens);
    }
    members.position.push(position);
    members.sourceVersion.push(source?.versionId ?? versionId);
    members.sourcePosition.push(source?.position ?? position);
    members.split.push(row.split ?? null);
    position++;
    if (members.position.length >= BATCH) await flush();
  }
  await flush();
  return { contentHash: hasher.digest().contentHash, examples: position, stats: stats.snapshot() };
}
