/**
 * The counters behind per-key limits, in Postgres so every gateway replica
 * sees the same numbers (tables from migration `…_key_limits`):
 *
 * - `gateway_rate_counters` (key, UTC minute): requests, counted before
 *   serving, and tokens, added after the answer.
 * - `gateway_spend_counters` (key, UTC day): spend in USD, added after the
 *   answer. A budget period's spend is the sum of its days, so changing a
 *   key's period is right at once.
 *
 * The database's clock decides minutes and periods, not the replicas'.
 * Per-minute figures are sliding-window estimates: the current minute plus
 * the previous one weighted by how much of it the last 60 s still covers.
 */
import type { BudgetPeriod } from "@/server/auth/principal";
import type { Db } from "@/server/db";

/** Counter rows for one key, as the enforcement and the console read them. */
export interface KeyWindow {
  currentRequests: number;
  previousRequests: number;
  currentTokens: number;
  previousTokens: number;
  /** Seconds into the current minute (0..60). */
  elapsed: number;
  /** USD spent in the current budget period (0 when the key has no budget). */
  spent: number;
  /** Seconds until the current budget period ends (UTC). */
  periodLeft: number;
  /** When the current budget period ends. */
  periodEnd: Date;
}

interface WindowRow {
  current_requests: number;
  previous_requests: number;
  current_tokens: number;
  previous_tokens: number;
  elapsed: number;
  spent: number;
  period_left: number;
  period_end: Date;
}

const toWindow = (row: WindowRow): KeyWindow => ({
  currentRequests: row.current_requests,
  previousRequests: row.previous_requests,
  currentTokens: row.current_tokens,
  previousTokens: row.previous_tokens,
  elapsed: Math.min(Math.max(row.elapsed, 0), 60),
  spent: row.spent,
  periodLeft: Math.max(row.period_left, 0),
  periodEnd: row.period_end,
});

/** The sliding-window estimate over the last 60 s. */
export const slidingEstimate = (previous: number, current: number, elapsed: number) =>
  previous * (1 - elapsed / 60) + current;

/**
 * Counts one request for the key and reads everything the limits need, in one
 * round trip: the minute's requests (this one included) and tokens, the
 * previous minute's, and the spend in the budget period.
 */
export async function countRequest(db: Db, keyId: string, period: BudgetPeriod | null): Promise<KeyWindow> {
  const [row] = await db.$queryRaw<WindowRow[]>`
    WITH bump AS (
      INSERT INTO gateway_rate_counters AS c (api_key_id, window_start, requests, tokens)
      VALUES (${keyId}::uuid, date_trunc('minute', now()), 1, 0)
      ON CONFLICT (api_key_id, window_start) DO UPDATE SET requests = c.requests + 1
      RETURNING requests, tokens, window_start
    ), period AS (
      SELECT date_trunc(${period ?? "day"}::text, now() AT TIME ZONE 'UTC') AS start_utc
    )
    SELECT bump.requests::int AS current_requests, bump.tokens::float8 AS current_tokens,
           COALESCE(p.requests, 0)::int AS previous_requests, COALESCE(p.tokens, 0)::float8 AS previous_tokens,
           EXTRACT(EPOCH FROM (now() - bump.window_start))::float8 AS elapsed,
           CASE WHEN ${period !== null} THEN (
             SELECT COALESCE(SUM(s.cost_usd), 0)::float8 FROM gateway_spend_counters s
              WHERE s.api_key_id = ${keyId}::uuid AND s.day >= period.start_utc::date
           ) ELSE 0::float8 END AS spent,
           EXTRACT(EPOCH FROM ((period.start_utc + ('1 ' || ${period ?? "day"}::text)::interval) AT TIME ZONE 'UTC' - now()))::float8 AS period_left,
           (period.start_utc + ('1 ' || ${period ?? "day"}::text)::interval) AT TIME ZONE 'UTC' AS period_end
      FROM bump CROSS JOIN period
      LEFT JOIN gateway_rate_counters p
        ON p.api_key_id = ${keyId}::uuid AND p.window_start = bump.window_start - interval '1 minute'`;
  if (Math.random() < 0.001) void pruneCounters(db);
  return toWindow(row);
}

/** The same figures without counting anything, for many keys at once (the console's usage column). */
export async function readKeyWindows(
  db: Db,
  keys: { id: string; period: BudgetPeriod | null }[],
): Promise<Map<string, KeyWindow>> {
  if (keys.length === 0) return new Map();
  const rows = await db.$queryRaw<(WindowRow & { id: string })[]>`
    WITH k AS (
      SELECT * FROM unnest(${keys.map((k) => k.id)}::uuid[], ${keys.map((k) => k.period ?? "day")}::text[]) AS k(id, period)
    ), w AS (
      SELECT k.id, k.period, date_trunc('minute', now()) AS minute,
             date_trunc(k.period, now() AT TIME ZONE 'UTC') AS start_utc
        FROM k
    )
    SELECT w.id::text AS id,
           COALESCE(cur.requests, 0)::int AS current_requests, COALESCE(cur.tokens, 0)::float8 AS current_tokens,
           COALESCE(prev.requests, 0)::int AS previous_requests, COALESCE(prev.tokens, 0)::float8 AS previous_tokens,
           EXTRACT(EPOCH FROM (now() - w.minute))::float8 AS elapsed,
           (SELECT COALESCE(SUM(s.cost_usd), 0)::float8 FROM gateway_spend_counters s
             WHERE s.api_key_id = w.id AND s.day >= w.start_utc::date) AS spent,
           EXTRACT(EPOCH FROM ((w.start_utc + ('1 ' || w.period)::interval) AT TIME ZONE 'UTC' - now()))::float8 AS period_left,
           (w.start_utc + ('1 ' || w.period)::interval) AT TIME ZONE 'UTC' AS period_end
      FROM w
      LEFT JOIN gateway_rate_counters cur ON cur.api_key_id = w.id AND cur.window_start = w.minute
      LEFT JOIN gateway_rate_counters prev ON prev.api_key_id = w.id AND prev.window_start = w.minute - interval '1 minute'`;
  return new Map(rows.map((row) => [row.id, toWindow(row)]));
}

/** What served requests used, per key, added to the counters in one statement. */
export interface UsageDelta {
  keyId: string;
  tokens: number;
  costUsd: number;
}

export async function addUsage(db: Db, deltas: UsageDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await db.$executeRaw`
    WITH input AS (
      SELECT * FROM unnest(${deltas.map((d) => d.keyId)}::uuid[], ${deltas.map((d) => d.tokens)}::bigint[],
                           ${deltas.map((d) => d.costUsd)}::float8[]) AS t(key_id, tokens, cost)
    ), minute AS (
      INSERT INTO gateway_rate_counters AS c (api_key_id, window_start, requests, tokens)
      SELECT key_id, date_trunc('minute', now()), 0, tokens FROM input WHERE tokens > 0
      ON CONFLICT (api_key_id, window_start) DO UPDATE SET tokens = c.tokens + EXCLUDED.tokens
    )
    INSERT INTO gateway_spend_counters AS s (api_key_id, day, cost_usd)
    SELECT key_id, (now() AT TIME ZONE 'UTC')::date, cost::numeric FROM input WHERE cost > 0
    ON CONFLICT (api_key_id, day) DO UPDATE SET cost_usd = s.cost_usd + EXCLUDED.cost_usd`;
}

/** Minute rows older than the previous window and day rows older than any period are never read again. */
async function pruneCounters(db: Db) {
  try {
    await db.$executeRaw`DELETE FROM gateway_rate_counters WHERE window_start < now() - interval '2 minutes'`;
    await db.$executeRaw`DELETE FROM gateway_spend_counters WHERE day < (now() AT TIME ZONE 'UTC')::date - 32`;
  } catch {
    // Pruning is housekeeping; the next try catches up.
  }
}
