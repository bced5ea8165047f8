import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { env } from "@/server/env";
import { PrismaClient } from "@/server/generated/prisma/client";

export type Db = PrismaClient;
/** A client or an interactive transaction: what domain services accept. */
export type DbTx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

const pools = new WeakMap<PrismaClient, pg.Pool>();

export function createDb(connectionString: string): PrismaClient {
  const pool = new pg.Pool({ connectionString, max: 10 });
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(client, pool);
  return client;
}

/**
 * The client's own connection pool, for what Prisma cannot do (COPY streams
 * in a transaction: dataset imports). Shares the client's connection budget.
 */
export function sqlPool(client: PrismaClient): pg.Pool {
  const pool = pools.get(client);
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
