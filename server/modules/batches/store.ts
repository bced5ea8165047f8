// Stores finished lines: their results and their request-log rows in ONE transaction. A line's result is
// written once (batch_items' primary key); its log row only if its result was new. So a line a dead worker ran
// but never stored runs again and is logged once, and one stored twice (a lost commit acknowledgement) is not
// logged twice: exactly one row per line, whatever crashes.
import type { Db } from "@/server/db";
import { INGEST_SQL, serializeEntry } from "@/server/modules/request-log/ingest";
import type { LineOutcome } from "./lines";

const ITEMS_SQL = `
INSERT INTO batch_items (batch_id, line, custom_id, status_code, request_id, body, error)
SELECT $1, x.line, x.custom_id, x.status_code, x.request_id, x.body, x.error
FROM json_to_recordset($2::json) AS x(line int, custom_id text, status_code int, request_id text, body jsonb, error jsonb)
ON CONFLICT DO NOTHING
RETURNING line, status_code`;

// Postgres text and jsonb cannot hold NUL or lone surrogates: their escapes become U+FFFD.
const UNSTORABLE = /\\u(?:0000|d[89a-f][0-9a-f]{2})/gi;
const storable = (json: string) => (UNSTORABLE.test(json) ? json.replace(UNSTORABLE, "\\ufffd") : json);

const isSuccess = (status: number | null) => status !== null && status >= 200 && status < 300;

export async function storeOutcomes(db: Db, batchId: string, outcomes: LineOutcome[]): Promise<number> {
  if (outcomes.length === 0) return 0;
  const items = storable(
    JSON.stringify(
      outcomes.map((o) => ({
        line: o.line,
        custom_id: o.customId,
        status_code: o.statusCode,
        request_id: o.requestId,
        body: o.body ?? null,
        error: o.error,
      })),
    ),
  );
  return db.$transaction(async (tx) => {
    const inserted = await tx.$queryRawUnsafe<{ line: number; status_code: number | null }[]>(
      ITEMS_SQL,
      batchId,
      items,
    );
    if (inserted.length === 0) return 0;
    const fresh = new Set(inserted.map((r) => r.line));
    const entries = outcomes.filter((o) => fresh.has(o.line) && o.entry).map((o) => serializeEntry(o.entry!));
    if (entries.length) await tx.$queryRawUnsafe(INGEST_SQL, `[${entries.join(",")}]`);
    const completed = inserted.filter((r) => isSuccess(r.status_code)).length;
    await tx.batch.update({
      where: { id: batchId },
      data: {
        completedCount: { increment: completed },
        failedCount: { increment: inserted.length - completed },
      },
    });
    return inserted.length;
  });
}
