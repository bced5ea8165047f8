// Rows written straight into the app's request_log (as the gateway's writer stores them), for specs that need
// exact times, bodies and guardrail actions the demo model cannot produce.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import pg from "pg";

export interface LogRow {
  id?: string;
  startedAt: Date;
  requestedModel?: string;
  status?: number;
  errorMessage?: string | null;
  latencyMs?: number;
  costUsd?: number;
  userId?: string | null;
  sessionId?: string | null;
  guardrails?: unknown[];
  toolNames?: string[] | null;
  requestBody?: unknown;
  responseBody?: unknown;
}

/** Inserts the rows into the e2e server's database; returns their ids in order. */
export async function insertLogRows(projectId: string, rows: LogRow[]): Promise<string[]> {
  const client = new pg.Client({
    // The embedded server's generated password, kept with its data (server/database/embedded.ts).
    connectionString: `postgres://postgres:${readFileSync(".switchyard/e2e/postgres/switchyard-password", "utf8").trim()}@127.0.0.1:${process.env.E2E_PG_PORT ?? 54339}/switchyard`,
  });
  await client.connect();
  const ids: string[] = [];
  try {
    for (const row of rows) {
      const id = row.id ?? randomUUID();
      ids.push(id);
      await client.query(
        `INSERT INTO request_log (id, project_id, started_at, method, path, requested_model, status, error_message,
           stream, latency_ms, tokens_in, tokens_out, cost_usd, cache_hit, guardrails, user_id, session_id,
           tool_names, request_body, response_body)
         VALUES ($1, $2, $3, 'POST', '/v1/chat/completions', $4, $5, $6, false, $7, 10, 20, $8, false, $9, $10, $11,
           $12, $13, $14)`,
        [
          id,
          projectId,
          row.startedAt,
          row.requestedModel ?? "demo",
          row.status ?? 200,
          row.errorMessage ?? null,
          row.latencyMs ?? 100,
          row.costUsd ?? 0.001,
          JSON.stringify(row.guardrails ?? []),
          row.userId ?? null,
          row.sessionId ?? null,
          row.toolNames ?? null,
          row.requestBody === undefined ? null : JSON.stringify(row.requestBody),
          row.responseBody === undefined ? null : JSON.stringify(row.responseBody),
        ],
      );
    }
  } finally {
    await client.end();
  }
  return ids;
}

/** `HH:MM:SS` of a time in UTC (the specs run the browser in UTC). */
export const utcSeconds = (at: Date) => at.toISOString().slice(11, 19);
