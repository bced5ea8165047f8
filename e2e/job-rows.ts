// Jobs, batches and stored files written straight into the e2e server's database (and its file store), for a
// spec that needs every state at once: a real run would need workers, upstreams and time to reach them.
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";

export interface JobRow {
  kind: string;
  state: string;
  subjectType?: string;
  subjectId?: string;
  attempts?: number;
  maxAttempts?: number;
  progressDone?: number;
  progressTotal?: number | null;
  lastError?: string | null;
  worker?: string | null;
  payload?: unknown;
  result?: unknown;
  logs?: { at: string; level: "info" | "warn" | "error"; message: string }[];
  createdAt: Date;
  startedAt?: Date | null;
  finishedAt?: Date | null;
}

export interface BatchRow {
  id: string;
  status: string;
  mode?: string;
  total: number;
  completed: number;
  failed: number;
  jobId?: string | null;
  inputFileId: string;
  outputFileId?: string | null;
  metadata?: Record<string, string> | null;
  createdAt: Date;
  completedAt?: Date | null;
}

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    // The embedded server's generated password, kept with its data (server/database/embedded.ts).
    connectionString: `postgres://postgres:${readFileSync(".switchyard/e2e/postgres/switchyard-password", "utf8").trim()}@127.0.0.1:${process.env.E2E_PG_PORT ?? 54339}/switchyard`,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Inserts the jobs into the project; returns their ids in order. */
export function insertJobs(projectId: string, rows: JobRow[]): Promise<string[]> {
  return withClient(async (client) => {
    const ids: string[] = [];
    for (const row of rows) {
      const id = randomUUID();
      ids.push(id);
      await client.query(
        `INSERT INTO jobs (id, project_id, kind, state, payload, result, subject_type, subject_id, attempts,
           max_attempts, progress_done, progress_total, last_error, logs, worker, created_by_label, created_at,
           started_at, finished_at, updated_at)
         VALUES ($1, $2, $3, $4::"JobState", $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'e2e', $16, $17, $18, now())`,
        [
          id,
          projectId,
          row.kind,
          row.state,
          JSON.stringify(row.payload ?? {}),
          row.result === undefined ? null : JSON.stringify(row.result),
          row.subjectType ?? null,
          row.subjectId ?? null,
          row.attempts ?? 0,
          row.maxAttempts ?? 3,
          row.progressDone ?? 0,
          row.progressTotal ?? null,
          row.lastError ?? null,
          JSON.stringify(row.logs ?? []),
          row.worker ?? null,
          row.createdAt,
          row.startedAt ?? null,
          row.finishedAt ?? null,
        ],
      );
    }
    return ids;
  });
}

/** Stores `content` as a file of the project, where /v1/files keeps blobs (SWITCHYARD_DATA_DIR/files/blobs). */
export function insertFile(projectId: string, id: string, filename: string, content: string): Promise<void> {
  const sha256 = createHash("sha256").update(content).digest("hex");
  const blob = path.join(".switchyard/e2e/files/blobs", sha256.slice(0, 2), sha256);
  mkdirSync(path.dirname(blob), { recursive: true });
  writeFileSync(blob, content);
  return withClient(async (client) => {
    await client.query(
      `INSERT INTO files (id, project_id, purpose, filename, bytes, sha256, line_count)
       VALUES ($1, $2, 'batch', $3, $4, $5, $6)`,
      [id, projectId, filename, Buffer.byteLength(content), sha256, content.split("\n").filter(Boolean).length],
    );
  });
}

export function insertBatches(projectId: string, rows: BatchRow[]): Promise<void> {
  return withClient(async (client) => {
    for (const row of rows) {
      await client.query(
        `INSERT INTO batches (id, project_id, endpoint, input_file_id, completion_window, metadata, status, mode,
           total_count, completed_count, failed_count, output_file_id, job_id, created_at, completed_at)
         VALUES ($1, $2, '/v1/chat/completions', $3, '24h', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          row.id,
          projectId,
          row.inputFileId,
          row.metadata ? JSON.stringify(row.metadata) : null,
          row.status,
          row.mode ?? "gateway",
          row.total,
          row.completed,
          row.failed,
          row.outputFileId ?? null,
          row.jobId ?? null,
          row.createdAt,
          row.completedAt ?? null,
        ],
      );
    }
  });
}
