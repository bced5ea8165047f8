import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "@/server/env";
import { PrismaClient } from "@/server/generated/prisma/client";

export type Db = PrismaClient;
/** A client or an interactive transaction: what domain services accept. */
export type DbTx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export function createDb(connectionString: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, max: 10 }) });
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
