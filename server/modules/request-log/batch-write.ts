// One attempt at storing a batch of serialised request-log rows, isolating the
// rows Postgres refuses so that one bad entry never holds back its neighbours.
import type pg from "pg";
import { INGEST_SQL, INGEST_STATEMENT_NAME, salvageEntry, serializeEntry } from "./ingest";
import type { RequestLogEntry } from "./types";

export interface WriteOutcome {
  stored: number;
  inserted: number;
  rejected: number;
  salvaged: number;
  /** Entries Postgres refused in full: stored without bodies (salvaged) or not at all (rejected). */
  problems: { entry: RequestLogEntry; error: unknown; rejected: boolean }[];
}

const DATA_ERROR = /^(22|23|54)[0-9A-Z]{3}$/;

/** SQLSTATE classes 22 (data), 23 (constraint) and 54 (limits): retrying the same rows cannot help. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && DATA_ERROR.test(code);
}

/**
 * Writes the rows; when Postgres refuses the data itself, halves the batch
 * until the offending rows are isolated, then tries each without bodies
 * once. Connection and server errors propagate (the caller retries the
 * whole batch; rows already stored are skipped by ON CONFLICT).
 */
export async function writeRows(pool: pg.Pool, entries: RequestLogEntry[], parts: string[]): Promise<WriteOutcome> {
  try {
    const inserted = await insert(pool, parts);
    return { stored: entries.length, inserted, rejected: 0, salvaged: 0, problems: [] };
  } catch (error) {
    if (!isDataError(error)) throw error;
    if (entries.length === 1) {
      try {
        const inserted = await insert(pool, [serializeEntry(salvageEntry(entries[0]))]);
        return {
          stored: 1,
          inserted,
          rejected: 0,
          salvaged: 1,
          problems: [{ entry: entries[0], error, rejected: false }],
        };
      } catch (second) {
        if (!isDataError(second)) throw second;
        return {
          stored: 0,
          inserted: 0,
          rejected: 1,
          salvaged: 0,
          problems: [{ entry: entries[0], error: second, rejected: true }],
        };
      }
    }
    const mid = entries.length >> 1;
    const left = await writeRows(pool, entries.slice(0, mid), parts.slice(0, mid));
    const right = await writeRows(pool, entries.slice(mid), parts.slice(mid));
    return {
      stored: left.stored + right.stored,
      inserted: left.inserted + right.inserted,
      rejected: left.rejected + right.rejected,
      salvaged: left.salvaged + right.salvaged,
      problems: [...left.problems, ...right.problems],
    };
  }
}

async function insert(pool: pg.Pool, parts: string[]): Promise<number> {
  const result = await pool.query<{ inserted: number }>({
    name: INGEST_STATEMENT_NAME,
    text: INGEST_SQL,
    values: [`[${parts.join(",")}]`],
  });
  return result.rows[0]?.inserted ?? 0;
}
