import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { env } from "@/server/env";
import { PrismaClient } from "@/server/generated/prisma/client";

export type Db = PrismaClient;
/** A client or an interactive transaction: what domain services accept. */
export type DbTx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

/**
 * Where a client keeps its pool: a registered symbol on the client itself, not a module-level map, because this
 * module has several copies in one process (Next's server bundle, the gateway bundle, scripts) sharing one client
 * through `globalThis` — a map in one copy would not know the client another copy made.
 */
const POOL = Symbol.for("switchyard.db.pool");
type WithPool = PrismaClient & { [POOL]?: pg.Pool };

export function createDb(connectionString: string): PrismaClient {
  const pool = new pg.Pool({ connectionString, max: 10 });
  const client: WithPool = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  Object.defineProperty(client, POOL, { value: pool });
  return client;
}

/**
 * The client's own connection pool, for what Prisma cannot do (COPY streams
 * in a transaction: dataset imports). Shares the client's connection budget.
 */
export function sqlPool(client: PrismaClient): pg.Pool {
  const pool = (client as WithPool)[POOL];
  if (!pool) throw new Error("sqlPool: this client was not made by createDb");
  return pool;
}

const globalForDb = globalThis as unknown as { switchyardDb?: PrismaClient };

/** The process-wide client (one pool), created on first use from DATABASE_URL. */
export function db(): PrismaClient {
  if (!globalForDb.switchyardDb) {
    const url = env().DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set (npm start sets it to the embedded Postgres)");
    globalForDb.switchyardDb = createDb(url);
  }
  return globalForDb.switchyardDb;
}
