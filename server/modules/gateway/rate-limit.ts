/**
 * Per-key requests-per-minute limits, counted in Postgres so every gateway
 * replica sees the same count: one upsert per request on a (key, minute)
 * row, weighted with the previous minute (a sliding-window estimate, so a
 * burst across a minute boundary cannot double the limit). The database's
 * clock decides the window, not the replicas'.
 *
 * Opt-in (`deps.rateLimit`) until the `gateway_rate_counters` table below is
 * added as a migration.
 */
import type { Db } from "@/server/db";
import { DomainError } from "@/server/errors";
import type { KeyPrincipal } from "./key-cache";

/** The table the limiter needs, as a migration would create it. */
export const RATE_COUNTER_TABLE_SQL = `CREATE TABLE gateway_rate_counters (
  api_key_id uuid NOT NULL,
  window_start timestamptz(0) NOT NULL,
  requests integer NOT NULL,
  PRIMARY KEY (api_key_id, window_start)
)`;

export interface RateLimitOptions {
  /** The key's limit per minute; null or undefined = unlimited. */
  requestsPerMinute: (principal: KeyPrincipal) => number | null | undefined;
}

/** Thrown when over the limit; `retryAfterSeconds` goes to the `retry-after` header. */
export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("RATE_LIMITED", message);
  }
}

interface Row {
  current: number;
  previous: number;
  elapsed: number;
}

export async function enforceRateLimit(db: Db, options: RateLimitOptions, principal: KeyPrincipal): Promise<void> {
  const limit = options.requestsPerMinute(principal);
  // The environment's admin key has no id to count against.
  if (!limit || !principal.keyId) return;
  const [row] = await db.$queryRaw<Row[]>`
    WITH bump AS (
      INSERT INTO gateway_rate_counters AS c (api_key_id, window_start, requests)
      VALUES (${principal.keyId}::uuid, date_trunc('minute', now()), 1)
      ON CONFLICT (api_key_id, window_start) DO UPDATE SET requests = c.requests + 1
      RETURNING requests, window_start
    )
    SELECT bump.requests AS current, COALESCE(p.requests, 0) AS previous,
           EXTRACT(EPOCH FROM (now() - bump.window_start))::float8 AS elapsed
      FROM bump
      LEFT JOIN gateway_rate_counters p
        ON p.api_key_id = ${principal.keyId}::uuid AND p.window_start = bump.window_start - interval '1 minute'`;
  const elapsed = Math.min(Math.max(row.elapsed, 0), 60);
  const estimate = row.previous * (1 - elapsed / 60) + row.current;
  if (Math.random() < 0.001) void pruneOldWindows(db);
  if (estimate <= limit) return;
  throw new RateLimitedError(
    `Rate limit reached: this API key may make ${limit} requests per minute`,
    Math.max(1, Math.ceil(60 - elapsed)),
  );
}

/** Rows older than the previous window are never read again. */
async function pruneOldWindows(db: Db) {
  await db.$executeRaw`DELETE FROM gateway_rate_counters WHERE window_start < now() - interval '2 minutes'`.catch(
    () => {},
  );
}
