/**
 * The counters behind per-key limits, in Postgres so every gateway replica
 * sees the same numbers (tables from migration `…_key_limits`, functions from
 * `…_key_limit_reservations`):
 *
 * - `gateway_rate_counters` (key, UTC minute): requests served and tokens
 *   (reserved before the call, replaced by the real figure after).
 * - `gateway_spend_counters` (key, UTC day): spend in USD, reserved and
 *   settled the same way. A budget period's spend is the sum of its days,
 *   so changing a key's period is right at once.
 *
 * Windows are fixed: a UTC minute, a UTC day/ISO week/month. The database's
 * clock decides them, not the replicas'. A request's tokens and cost count
 * in the window it was reserved in.
 */
import type { BudgetPeriod, KeyLimits } from "@/server/auth/principal";
import type { Db } from "@/server/db";

/** What a request is expected to use, reserved against the limits before it is served. */
export interface UsageEstimate {
  tokens: number;
  costUsd: number;
}

/** The limit that refused a reservation. */
type RefusedLimit = "budget" | "requests" | "tokens";

/** A reservation's outcome and the key's counters right after it. */
export interface ReserveResult {
  refused: RefusedLimit | null;
  /** The windows the reservation went into (settle against these). */
  minute: Date;
  day: string;
  /** This minute's requests and tokens, this request's included when admitted. */
  requests: number;
  tokens: number;
  /** USD spent and reserved in the budget period (0 when the key has no budget). */
  spent: number;
  /** Seconds until this minute ends, and until the budget period ends. */
  windowLeft: number;
  periodLeft: number;
  periodEnd: Date;
}

interface ReserveRow {
  refused: RefusedLimit | null;
  window_start: Date;
  day: Date;
  requests: number;
  tokens: bigint;
  spent: string;
  window_left: number;
  period_left: number;
  period_end: Date;
}

/**
 * Checks the key's limits and, when they all hold, counts the request and
 * reserves `estimate` — one statement (`gateway_reserve`), atomic across
 * replicas. Only what is limited is reserved (the caller passes 0 tokens
 * without a token limit, 0 cost without a budget).
 */
export async function reserveUsage(
  db: Db,
  keyId: string,
  limits: KeyLimits,
  estimate: UsageEstimate,
): Promise<ReserveResult> {
  const budget = limits.budgetUsd && limits.budgetPeriod ? limits.budgetUsd : null;
  const [row] = await db.$queryRaw<ReserveRow[]>`
    SELECT * FROM gateway_reserve(${keyId}::uuid, ${Math.round(estimate.tokens)}::bigint,
      ${estimate.costUsd}::float8::numeric, ${limits.requestsPerMinute}::int, ${limits.tokensPerMinute}::bigint,
      ${budget}::float8::numeric, ${budget ? limits.budgetPeriod : null}::text)`;
  if (Math.random() < 0.001) void pruneCounters(db);
  return {
    refused: row.refused,
    minute: row.window_start,
    day: row.day.toISOString().slice(0, 10),
    requests: row.requests,
    tokens: Number(row.tokens),
    spent: Number(row.spent),
    windowLeft: Math.min(Math.max(row.window_left, 0), 60),
    periodLeft: Math.max(row.period_left, 0),
    periodEnd: row.period_end,
  };
}

/**
 * A correction to the counters: a reservation replaced by what the request
 * used (`tokens`/`costUsd` are the difference, negative when less was used),
 * or usage without a reservation (`minute`/`day` null: the current windows).
 */
export interface UsageDelta {
  keyId: string;
  minute: Date | null;
  day: string | null;
  tokens: number;
  costUsd: number;
}

/** Writes corrections for many keys in one statement (`gateway_settle`, which takes the rows in lock order). */
export async function settleUsage(db: Db, deltas: UsageDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await db.$executeRaw`
    SELECT gateway_settle(${deltas.map((d) => d.keyId)}::uuid[], ${deltas.map((d) => d.minute)}::timestamptz[],
      ${deltas.map((d) => d.day)}::date[], ${deltas.map((d) => Math.round(d.tokens))}::bigint[],
      ${deltas.map((d) => d.costUsd)}::float8[]::numeric[])`;
}

/** Counter figures for the console: this minute's requests and tokens, the period's spend. */
export interface KeyWindow {
  requests: number;
  tokens: number;
  /** USD spent (and reserved by requests in flight) in the current budget period. */
  spent: number;
  /** When the current budget period ends. */
  periodEnd: Date;
}

/** The same figures without counting anything, for many keys at once (the console's usage column). */
export async function readKeyWindows(
  db: Db,
  keys: { id: string; period: BudgetPeriod | null }[],
): Promise<Map<string, KeyWindow>> {
  if (keys.length === 0) return new Map();
  const rows = await db.$queryRaw<{ id: string; requests: number; tokens: number; spent: number; period_end: Date }[]>`
    WITH k AS (
      SELECT * FROM unnest(${keys.map((k) => k.id)}::uuid[], ${keys.map((k) => k.period ?? "day")}::text[]) AS k(id, period)
    ), w AS (
      SELECT k.id, k.period, date_trunc('minute', now()) AS minute,
             date_trunc(k.period, now() AT TIME ZONE 'UTC') AS start_utc
        FROM k
    )
    SELECT w.id::text AS id,
           COALESCE(cur.requests, 0)::int AS requests, COALESCE(cur.tokens, 0)::float8 AS tokens,
           (SELECT COALESCE(SUM(s.cost_usd), 0)::float8 FROM gateway_spend_counters s
             WHERE s.api_key_id = w.id AND s.day >= w.start_utc::date) AS spent,
           (w.start_utc + ('1 ' || w.period)::interval) AT TIME ZONE 'UTC' AS period_end
      FROM w
      LEFT JOIN gateway_rate_counters cur ON cur.api_key_id = w.id AND cur.window_start = w.minute`;
  return new Map(
    rows.map((row) => [
      row.id,
      { requests: row.requests, tokens: row.tokens, spent: row.spent, periodEnd: row.period_end },
    ]),
  );
}

/** Minute rows a few minutes old and day rows older than any period are never read again. */
async function pruneCounters(db: Db) {
  try {
    // Ten minutes: a long stream settles into the minute it was reserved in, which should still be there.
    await db.$executeRaw`DELETE FROM gateway_rate_counters WHERE window_start < now() - interval '10 minutes'`;
    await db.$executeRaw`DELETE FROM gateway_spend_counters WHERE day < (now() AT TIME ZONE 'UTC')::date - 32`;
  } catch {
    // Pruning is housekeeping; the next try catches up.
  }
}
