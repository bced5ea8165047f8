import type pg from "pg";

/** What the read side needs from Postgres: a pg Pool or Client (not Prisma: these are hand-written SQL). */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** Dependencies of the request-log services. */
export interface RequestLogDeps {
  pool: Queryable;
}
