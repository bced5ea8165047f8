// Stores finished lines: their results and their request-log rows in ONE transaction. A line's result is
// written once (batch_items' primary key); its log row only if its result was new. So a line a dead worker ran
// but never stored runs again and is logged once, and one stored twice (a lost commit acknowledgement) is not
// logged twice: exactly one row per line, whatever crashes. Plain `pg`, not Prisma: at thousands of lines a
// second the ORM's per-query cost was the largest part of a line's CPU (bench/batch).
import pg from "pg";
import { jobDatabaseUrl } from "@/server/modules/jobs/engine";
import { INGEST_SQL, INGEST_STATEMENT_NAME, serializeEntry } from "@/server/modules/request-log/ingest";
import type { LineOutcome } from "./lines";

const ITEMS_SQL = `
INSERT INTO batch_items (batch_id, line, custom_id, status_code, request_id, body, error)
SELECT $1, x.line, x.custom_id, x.status_code, x.request_id, x.body, x.error
FROM json_to_recordset($2::json) AS x(line int, custom_id text, status_code int, request_id text, body jsonb, error jsonb)
ON CONFLICT DO NOTHING
RETURNING line, status_code`;
const COUNTS_SQL = `UPDATE batches SET completed_count = completed_count + $2, failed_count = failed_count + $3 WHERE id = $1`;

// Postgres text and jsonb cannot hold NUL or lone surrogates: their escapes become U+FFFD.
const UNSTORABLE = /\\u(?:0000|d[89a-f][0-9a-f]{2})/gi;
const storable = (json: string) => json.replace(UNSTORABLE, "\\ufffd");

const isSuccess = (status: number | null) => status !== null && status >= 200 && status < 300;

const pools = new Map<string, pg.Pool>();
/** The process's pool for batch results (per database: tests run several). */
export function batchPool(): pg.Pool {
  const url = jobDatabaseUrl();
  let found = pools.get(url);
  if (!found) {
    found = new pg.Pool({ connectionString: url, max: 4, application_name: "switchyard-batches" });
    found.on("error", () => {});
    pools.set(url, found);
  }
  return found;
}

/** One item as JSON, the body spliced in as the gateway wrote it (no parse and re-serialise per line). */
function itemJson(o: LineOutcome): string {
  const body = /^\s*[[{]/.test(o.bodyText) ? o.bodyText : JSON.stringify(o.bodyText);
  return `{"line":${o.line},"custom_id":${JSON.stringify(o.customId)},"status_code":${o.statusCode ?? "null"},"request_id":${JSON.stringify(o.requestId)},"body":${body},"error":${JSON.stringify(o.error)}}`;
}

export async function storeOutcomes(batchId: string, outcomes: LineOutcome[]): Promise<number> {
  if (outcomes.length === 0) return 0;
  const items = storable(`[${outcomes.map(itemJson).join(",")}]`);
  const client = await batchPool().connect();
  try {
    await client.query("BEGIN");
    const inserted = (await client.query<{ line: number; status_code: number | null }>(ITEMS_SQL, [batchId, items]))
      .rows;
    if (inserted.length) {
      const fresh = new Set(inserted.map((r) => r.line));
      const entries = outcomes.filter((o) => fresh.has(o.line) && o.entry).map((o) => serializeEntry(o.entry!));
      if (entries.length)
        await client.query({ name: INGEST_STATEMENT_NAME, text: INGEST_SQL, values: [`[${entries.join(",")}]`] });
      const completed = inserted.filter((r) => isSuccess(r.status_code)).length;
      await client.query(COUNTS_SQL, [batchId, completed, inserted.length - completed]);
    }
    await client.query("COMMIT");
    return inserted.length;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
