import type pg from "pg";
import type { Actor } from "@/server/auth/principal";
import { type Db, sqlPool } from "@/server/db";
import { DomainError } from "@/server/errors";
import type { VersionParams, VersionReport } from "@/server/modules/datasets/output-schemas";

/**
 * Dataset writes run on a plain pg connection in one transaction, because
 * Prisma cannot stream COPY: an import COPYs its examples and writes the
 * dataset, version and audit rows on the same connection, so a refused or
 * broken upload leaves nothing behind.
 */
export async function inSqlTransaction<T>(db: Db, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await sqlPool(db).connect();
  let broken = false;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    // A connection that cannot roll back (the server went away) is not given back to the pool.
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

export interface Writer {
  projectId: string;
  actor: Actor;
}

/** A new dataset (format fixed later from the file), or the caller's existing one. */
export async function openDataset(
  client: pg.PoolClient,
  projectId: string,
  target: { datasetId?: string; name?: string },
): Promise<{ id: string; name: string } | undefined> {
  if (target.datasetId) {
    const { rows } = await client.query<{ id: string; name: string }>(
      "SELECT id, name FROM datasets WHERE id = $1 AND project_id = $2",
      [target.datasetId, projectId],
    );
    return rows[0];
  }
  try {
    const { rows } = await client.query<{ id: string; name: string }>(
      `INSERT INTO datasets (id, project_id, name, format, updated_at)
       VALUES (gen_random_uuid(), $1, $2, 'chat', now()) RETURNING id, name`,
      [projectId, target.name],
    );
    return rows[0];
  } catch (error) {
    if ((error as { code?: string }).code === "23505")
      throw new DomainError("CONFLICT", `A dataset named '${target.name}' already exists`, [
        { path: "name", message: "Already taken in this project" },
      ]);
    throw error;
  }
}

export interface VersionDraft {
  datasetId: string;
  parentId: string | null;
  operation: string;
  params: VersionParams;
}

/**
 * Inserts the version row the examples hang on. Its number is a random
 * negative placeholder until {@link finishVersion} numbers it (latest + 1)
 * under a short lock at the end, so two long imports into one dataset run
 * side by side instead of one waiting for the other's commit.
 */
export async function startVersion(client: pg.PoolClient, writer: Writer, draft: VersionDraft): Promise<string> {
  const placeholder = -1 - Math.floor(Math.random() * (2 ** 31 - 2));
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO dataset_versions
       (id, dataset_id, version, parent_id, operation, params, content_hash, example_count, created_by_id, created_by_label)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, '', 0, $6, $7) RETURNING id`,
    [
      draft.datasetId,
      placeholder,
      draft.parentId,
      draft.operation,
      JSON.stringify(draft.params),
      writer.actor.userId,
      writer.actor.label,
    ],
  );
  return rows[0].id;
}

export interface VersionOutcome {
  contentHash: string;
  examples: number;
  stats: object;
  report: VersionReport;
  /** The dataset's format after an import. */
  format?: "chat" | "completion";
}

/** Numbers the version, stores its hash, count, statistics and report, touches the dataset and audits: one row each. */
export async function finishVersion(
  client: pg.PoolClient,
  writer: Writer,
  draft: VersionDraft & { versionId: string },
  outcome: VersionOutcome,
): Promise<void> {
  // NO KEY UPDATE: other imports into this dataset hold KEY SHARE (their version rows reference it) until they commit.
  await client.query("SELECT 1 FROM datasets WHERE id = $1 FOR NO KEY UPDATE", [draft.datasetId]);
  const { rows } = await client.query<{ version: number }>(
    `UPDATE dataset_versions SET
       version = (SELECT COALESCE(max(version), 0) + 1 FROM dataset_versions WHERE dataset_id = $1 AND version > 0),
       content_hash = $3, example_count = $4, stats = $5, report = $6
     WHERE id = $2 RETURNING version`,
    [
      draft.datasetId,
      draft.versionId,
      outcome.contentHash,
      outcome.examples,
      JSON.stringify(outcome.stats),
      JSON.stringify(outcome.report),
    ],
  );
  await client.query(
    'UPDATE datasets SET updated_at = now(), format = COALESCE($2::"DatasetFormat", format) WHERE id = $1',
    [draft.datasetId, outcome.format ?? null],
  );
  // The audit row recordAudit (audit/service.ts) writes, on this connection.
  await client.query(
    `INSERT INTO audit_log (id, project_id, actor_type, actor_user_id, actor_key_id, actor_label, action, target_type, target_id, summary)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, 'datasetVersion', $7, $8)`,
    [
      writer.projectId,
      writer.actor.type,
      writer.actor.userId,
      writer.actor.keyId,
      writer.actor.label,
      `dataset.${draft.operation}`,
      draft.versionId,
      JSON.stringify({
        version: rows[0].version,
        examples: outcome.examples,
        contentHash: outcome.contentHash,
        parentId: draft.parentId,
      }),
    ],
  );
}
