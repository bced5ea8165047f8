// One attempt at storing a batch of serialised request-log rows, isolating the
// rows Postgres refuses so that one bad entry never holds back its neighbours.
import type pg from "pg";
import { INGEST_SQL, INGEST_STATEMENT_NAME, salvageSerialized } from "./ingest";

export interface WriteOutcome {
  stored: number;
  inserted: number;
  rejected: number;
  salvaged: number;
  /** Rows (by id) Postgres refused in full: stored without bodies (salvaged) or not at all (rejected). */
  problems: { id: string; error: unknown; rejected: boolean }[];
}

const DATA_ERROR = /^(22|23|54)[0-9A-Z]{3}$/;

/** SQLSTATE classes 22 (data), 23 (constraint) and 54 (limits): retrying the same rows cannot help. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && DATA_ERROR.test(code);
}

/**
 * Writes the rows (serialised entries, see serializeEntry); when Postgres
 * refuses the data itself, halves the batch until the offending rows are
 * isolated, then tries each without bodies once. Connection and server
 * errors propagate (the caller retries the whole batch; rows already stored
 * are skipped by ON CONFLICT).
 */
export async function writeRows(pool: pg.Pool, parts: string[]): Promise<WriteOutcome> {
  try {
    const inserted = await insert(pool, parts);
    return { stored: parts.length, inserted, rejected: 0, salvaged: 0, problems: [] };
  } catch (error) {
    if (!isDataError(error)) throw error;
    if (parts.length === 1) {
      const { id, json } = salvageSerialized(parts[0]);
      try {
        const inserted = await insert(pool, [json]);
        return { stored: 1, inserted, rejected: 0, salvaged: 1, problems: [{ id, error, rejected: false }] };
      } catch (second) {
        if (!isDataError(second)) throw second;
        return { stored: 0, inserted: 0, rejected: 1, salvaged: 0, problems: [{ id, error: second, rejected: true }] };
      }
    }
    const mid = parts.length >> 1;
    const left = await writeRows(pool, parts.slice(0, mid));
    const right = await writeRows(pool, parts.slice(mid));
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
