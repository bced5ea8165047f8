// Spend: what a project's requests cost over a range, by model version, API
// key or end user, as a top-N table and a per-step series of the top groups.
// Models and keys read the rollups (they are rollup dimensions); users read
// raw rows, newest first and at most MAX_RAW_SPEND_ROWS of them, since the
// rollups have no user dimension (a per-user rollup would grow with every
// distinct end user).

import type { z } from "zod";
import { alignWindow, labelsFor } from "./dashboards";
import { NIL_UUID } from "./ingest";
import type { RequestLogDeps } from "./queryable";
import { MAX_RAW_SPEND_ROWS, type SpendDimension, type SpendInput, spendInput, type spendOut } from "./schemas";

export type Spend = z.infer<typeof spendOut>;

interface GroupRow {
  key: string;
  cost_usd: number;
  requests: number;
  tokens_in: number;
  tokens_out: number;
  groups: number;
  total_cost_usd: number;
  total_requests: number;
  total_tokens_in: number;
  total_tokens_out: number;
}

interface SlotRow {
  slot: Date;
  /** A group's key, or TOTAL for the whole project. */
  key: string;
  cost_usd: number;
}

/** Marks the all-requests series in a slot query (never a uuid or a stored user id). */
const TOTAL = "*total*";
/** Requests without a user; the gateway stores an empty `user` as null, so '' never is one. */
const NO_USER = "";

const GROUP_SUMS = `sum(cost_usd)::float8 AS cost_usd, count_or_sum::float8 AS requests,
  sum(tokens_in)::float8 AS tokens_in, sum(tokens_out)::float8 AS tokens_out`;
const RANKED = `SELECT *, count(*) OVER ()::int AS groups,
  sum(cost_usd) OVER () AS total_cost_usd, sum(requests) OVER () AS total_requests,
  sum(tokens_in) OVER () AS total_tokens_in, sum(tokens_out) OVER () AS total_tokens_out
FROM groups ORDER BY cost_usd DESC, requests DESC, key LIMIT $LIMIT`;
const SLOT = "date_bin(make_interval(secs => $STEP), TIME, timestamptz '1970-01-01 00:00:00+00')";

/** SQL of one source: the group totals, then the per-slot costs of some groups and of all. */
interface SpendSql {
  groups: string;
  slots: string;
}

// Parameters: $1 project, $2 from, $3 to, $4 dimension or row cap, then LIMIT / STEP / KEYS as numbered below.
function rollupSql(table: string): SpendSql {
  const where = `project_id = $1 AND bucket_start >= $2 AND bucket_start < $3`;
  return {
    groups: `WITH groups AS (
  SELECT dimension_id::text AS key, ${GROUP_SUMS.replace("count_or_sum", "sum(requests)")}
  FROM ${table} WHERE ${where} AND dimension = $4 GROUP BY dimension_id
) ${RANKED.replace("$LIMIT", "$5")}`,
    slots: `SELECT ${SLOT.replace("$STEP", "$5").replace("TIME", "bucket_start")} AS slot,
  CASE WHEN dimension = 'total' THEN '${TOTAL}' ELSE dimension_id::text END AS key, sum(cost_usd)::float8 AS cost_usd
FROM ${table}
WHERE ${where} AND ((dimension = $4 AND dimension_id = ANY($6::uuid[])) OR dimension = 'total')
GROUP BY 1, 2`,
  };
}

// The newest rows of the range, at most $4: the index on (project_id, started_at DESC) reads just those.
const RECENT = `recent AS (
  SELECT coalesce(user_id, '${NO_USER}') AS key, started_at, cost_usd, tokens_in, tokens_out FROM request_log
  WHERE project_id = $1 AND started_at >= $2 AND started_at < $3 ORDER BY started_at DESC LIMIT $4
)`;
const RAW_SQL: SpendSql = {
  groups: `WITH ${RECENT}, groups AS (
  SELECT key, ${GROUP_SUMS.replace("count_or_sum", "count(*)")} FROM recent GROUP BY key
) ${RANKED.replace("$LIMIT", "$5")}`,
  slots: `WITH ${RECENT}
SELECT ${SLOT.replace("$STEP", "$5").replace("TIME", "started_at")} AS slot, key, sum(cost_usd)::float8 AS cost_usd
FROM recent WHERE key = ANY($6::text[]) GROUP BY 1, 2
UNION ALL
SELECT ${SLOT.replace("$STEP", "$5").replace("TIME", "started_at")}, '${TOTAL}', sum(cost_usd)::float8
FROM recent GROUP BY 1`,
};

const ROLLUP_DIMENSION: Record<Exclude<SpendDimension, "user">, string> = { model: "model", key: "key" };

/**
 * Cost per model version, API key or end user over a range, most spent first,
 * with each top group's cost per step (and the rest as "other") for a chart.
 */
export async function spend(
  deps: RequestLogDeps,
  rawInput: SpendInput,
  options: { maxRawRows?: number } = {},
): Promise<Spend> {
  const input = spendInput.parse(rawInput);
  const { step, stepMs, fromMs, toMs, source: rollup } = alignWindow(input);
  const raw = input.by === "user";
  const maxRawRows = options.maxRawRows ?? MAX_RAW_SPEND_ROWS;
  const sql = raw ? RAW_SQL : rollupSql(`request_log_${rollup}`);
  const base = [
    input.projectId,
    new Date(fromMs),
    new Date(toMs),
    input.by === "user" ? maxRawRows : ROLLUP_DIMENSION[input.by],
  ];
  const { rows } = await deps.pool.query<GroupRow>(sql.groups, [...base, input.limit]);
  const seriesKeys = rows.slice(0, input.series).map((row) => row.key);
  const { rows: slots } = await deps.pool.query<SlotRow>(sql.slots, [...base, step, seriesKeys]);

  const bySlot = new Map<number, Map<string, number>>();
  for (const row of slots) {
    const t = row.slot.getTime();
    if (!bySlot.has(t)) bySlot.set(t, new Map());
    bySlot.get(t)?.set(row.key, row.cost_usd);
  }
  const points: Spend["points"] = [];
  for (let t = fromMs; t < toMs; t += stepMs) {
    const slot = bySlot.get(t);
    const costs = seriesKeys.map((key) => slot?.get(key) ?? 0);
    const other = (slot?.get(TOTAL) ?? 0) - costs.reduce((sum, cost) => sum + cost, 0);
    // Float sums of the same values in another order differ in the last bits: no negative dust.
    points.push({ t: new Date(t), costs, other: Math.max(0, other) });
  }

  const first = rows[0];
  const totals = {
    costUsd: first ? Number(first.total_cost_usd) : 0,
    requests: first ? Number(first.total_requests) : 0,
    tokensIn: first ? Number(first.total_tokens_in) : 0,
    tokensOut: first ? Number(first.total_tokens_out) : 0,
  };
  const outKey = (key: string) => (key === NIL_UUID || key === NO_USER ? null : key);
  const labels = raw
    ? new Map<string, string>()
    : await labelsFor(
        deps,
        input.by as Exclude<SpendDimension, "user">,
        rows.map((row) => row.key).filter((key) => key !== NIL_UUID),
      );
  return {
    projectId: input.projectId,
    from: new Date(fromMs),
    to: new Date(toMs),
    step,
    by: input.by,
    source: raw ? "raw" : rollup,
    totals,
    rows: rows.map((row) => ({
      key: outKey(row.key),
      label: raw ? outKey(row.key) : (labels.get(row.key) ?? null),
      costUsd: row.cost_usd,
      requests: row.requests,
      tokensIn: row.tokens_in,
      tokensOut: row.tokens_out,
      share: totals.costUsd > 0 ? row.cost_usd / totals.costUsd : 0,
    })),
    groups: first?.groups ?? 0,
    seriesKeys: seriesKeys.map(outKey),
    points,
    truncated: raw && totals.requests >= maxRawRows,
  };
}
