import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { DatasetImport } from "@/server/modules/datasets/core/import";

/**
 * Streams an upload's valid examples into `dataset_examples` with one COPY,
 * as the parser produces them (one chunk per ≤ 64 KiB slice of the file), so
 * memory does not grow with the file and PostgreSQL parses while we read.
 * Then the version's membership rows (position n → its own row n) are made in
 * SQL. Returns the number of examples written.
 *
 * `stopAfterError`: strict mode will roll back anyway, so after the first
 * error only validation goes on (the 422 still lists every line's issues).
 */
export async function copyImport(
  client: pg.PoolClient,
  versionId: string,
  upload: DatasetImport,
  options: { stopAfterError: boolean },
): Promise<number> {
  let position = 0;
  let failed = false;
  async function* chunks(): AsyncGenerator<string> {
    for await (const batch of upload) {
      let text = "";
      for (const line of batch) {
        if (line.errors.length > 0 && options.stopAfterError) failed = true;
        if (failed || !line.example || line.canonical === undefined) continue;
        text += `${versionId}\t${position++}\t${copyText(storedJson(line.canonical, line.example.metadata))}\t${line.hash}\t${line.tokens ?? 0}\n`;
      }
      if (text) yield text;
    }
  }
  // TOAST compression is most of PostgreSQL's work here: lz4 took 2.6 s where pglz took 6.2 s for the same
  // 100 MiB of examples (+25 % on disk). Only for this transaction, and only where the server has lz4.
  await client.query(
    `SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings
      WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)`,
  );
  await pipeline(
    Readable.from(chunks(), { objectMode: false }),
    client.query(copyFrom("COPY dataset_examples (version_id, position, example, hash, tokens) FROM STDIN")),
  );
  await client.query(
    `INSERT INTO dataset_version_examples (version_id, position, source_version_id, source_position)
     SELECT $1, n, $1, n FROM generate_series(0, $2::int - 1) AS n`,
    [versionId, position],
  );
  return position;
}

/** The stored example: the canonical training line plus its metadata (jsonb orders keys its own way anyway). */
function storedJson(training: string, metadata: Record<string, unknown> | undefined): string {
  return metadata === undefined ? training : `${training.slice(0, -1)},"metadata":${JSON.stringify(metadata)}}`;
}

/**
 * COPY's text format: backslash, tab, newline and carriage return are
 * escaped. JSON text has no raw control characters, so only backslashes need it.
 */
function copyText(json: string): string {
  return json.includes("\\") ? json.replaceAll("\\", "\\\\") : json;
}
