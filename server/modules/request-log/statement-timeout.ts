// Read queries a caller shapes (filters, text search) run with a statement timeout, so one tenant's search
// cannot hold a pooled connection, and the CPU behind it, for long.
import pg from "pg";
import { DomainError } from "@/server/errors";
import type { Queryable } from "./queryable";

const QUERY_CANCELED = "57014";

/**
 * Runs one SELECT with `statement_timeout` set for it alone (SET LOCAL in its own transaction on a pooled
 * connection). A single client (a test's, or a caller's transaction) runs the query as is: its owner bounds it.
 * A query cancelled by the timeout is a 422 telling the user to narrow the search, not a 500.
 */
export async function boundedQuery<R extends pg.QueryResultRow>(
  pool: Queryable,
  timeoutMs: number,
  sql: string,
  params: unknown[],
): Promise<R[]> {
  if (!(pool instanceof pg.Pool)) return (await pool.query<R>(sql, params)).rows;
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query("BEGIN READ ONLY");
    await client.query("SELECT set_config('statement_timeout', $1, true)", [String(Math.round(timeoutMs))]);
    const { rows } = await client.query<R>(sql, params);
    await client.query("COMMIT");
    return rows;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    if ((error as { code?: string }).code === QUERY_CANCELED) {
      throw new DomainError(
        "UNPROCESSABLE",
        `The search ran past ${timeoutMs / 1000} s and was stopped: narrow the time range or add filters`,
      );
    }
    throw error;
  } finally {
    client.release(broken);
  }
}
