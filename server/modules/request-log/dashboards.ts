// Dashboards read the rollups only, never raw rows: the overview reads one
// (project, dimension, value) series per minute or hour ("total" unless
// filtered), breakdowns read one dimension's rows, hourly wherever whole hours
// allow.
import { DomainError } from "@/server/errors";
import { HISTOGRAM_SIZE, histogramTotal, percentiles } from "./histogram";
import { NIL_UUID, type RollupDimension } from "./ingest";
import type { RequestLogDeps } from "./queryable";
import {
  type BreakdownDimension,
  type BreakdownInput,
  breakdownInput,
  MAX_POINTS,
  NICE_STEPS_S,
  type OverviewInput,
  overviewInput,
} from "./schemas";

/** Metrics of a set of requests, derived from summed rollup rows. */
interface RequestMetrics {
  requests: number;
  errors: number;
  clientErrors: number;
  serverErrors: number;
  /** errors / requests; null without requests. */
  errorRate: number | null;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  cacheHits: number;
  cacheHitRatio: number | null;
  /** Percentiles are estimated from the histograms (log-spaced buckets, √2 wide). */
  latencyMs: { avg: number | null; p50: number | null; p95: number | null; p99: number | null; max: number | null };
  /** Over the requests that reported a time to first token. */
  ttftMs: { count: number; p50: number | null; p95: number | null; p99: number | null };
}

interface OverviewPoint extends RequestMetrics {
  /** Start of the interval [t, t + step). */
  t: Date;
  requestsPerSecond: number;
  tokensInPerSecond: number;
  tokensOutPerSecond: number;
}

export interface Overview {
  projectId: string;
  /** The range actually covered: `from` rounded down and `to` rounded up to whole steps (UTC). */
  from: Date;
  to: Date;
  step: number;
  /** Which rollup answered. */
  source: "minute" | "hour";
  points: OverviewPoint[];
  totals: RequestMetrics;
}

interface BreakdownRow extends RequestMetrics {
  /** The model version / prompt version / variant / API key id; null for requests without one. */
  key: string | null;
  /** A readable name when the id still exists (e.g. `support-bot v3`, `triage v2`, `exp-1: b`, `ci (sk-ab12)`). */
  label: string | null;
  /** Share of the range's requests. */
  share: number;
}

export interface Breakdown {
  projectId: string;
  from: Date;
  to: Date;
  by: BreakdownDimension;
  rows: BreakdownRow[];
  /** All groups, including those past `limit`. */
  totals: RequestMetrics;
  groups: number;
}

interface Sums {
  requests: number;
  client_errors: number;
  server_errors: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  cache_hits: number;
  latency_sum_ms: number;
  latency_max_ms: number | null;
  latency_hist: number[];
  ttft_hist: number[];
}

const histogramSums = (column: string) =>
  `ARRAY[${Array.from({ length: HISTOGRAM_SIZE }, (_, i) => `sum(${column}[${i + 1}])`).join(", ")}]::float8[] AS ${column}`;

/** Aggregates over rollup rows; float8 so that pg hands back numbers. */
const SUMS_SQL = [
  "sum(requests)::float8 AS requests",
  "sum(client_errors)::float8 AS client_errors",
  "sum(server_errors)::float8 AS server_errors",
  "sum(tokens_in)::float8 AS tokens_in",
  "sum(tokens_out)::float8 AS tokens_out",
  "sum(cost_usd)::float8 AS cost_usd",
  "sum(cache_hits)::float8 AS cache_hits",
  "sum(latency_sum_ms)::float8 AS latency_sum_ms",
  "max(latency_max_ms)::float8 AS latency_max_ms",
  histogramSums("latency_hist"),
  histogramSums("ttft_hist"),
].join(",\n  ");

const METRIC_COLUMNS =
  "requests, client_errors, server_errors, tokens_in, tokens_out, cost_usd, cache_hits, latency_sum_ms, latency_max_ms, latency_hist, ttft_hist";

function emptySums(): Sums {
  return {
    requests: 0,
    client_errors: 0,
    server_errors: 0,
    tokens_in: 0,
    tokens_out: 0,
    cost_usd: 0,
    cache_hits: 0,
    latency_sum_ms: 0,
    latency_max_ms: null,
    latency_hist: new Array(HISTOGRAM_SIZE).fill(0),
    ttft_hist: new Array(HISTOGRAM_SIZE).fill(0),
  };
}

function addSums(into: Sums, more: Sums): Sums {
  into.requests += more.requests;
  into.client_errors += more.client_errors;
  into.server_errors += more.server_errors;
  into.tokens_in += more.tokens_in;
  into.tokens_out += more.tokens_out;
  into.cost_usd += more.cost_usd;
  into.cache_hits += more.cache_hits;
  into.latency_sum_ms += more.latency_sum_ms;
  if (more.latency_max_ms !== null) into.latency_max_ms = Math.max(into.latency_max_ms ?? 0, more.latency_max_ms);
  for (let i = 0; i < HISTOGRAM_SIZE; i++) {
    into.latency_hist[i] += more.latency_hist[i] ?? 0;
    into.ttft_hist[i] += more.ttft_hist[i] ?? 0;
  }
  return into;
}

function metricsOf(sums: Sums): RequestMetrics {
  const requests = sums.requests;
  const errors = sums.client_errors + sums.server_errors;
  const ratio = (part: number) => (requests > 0 ? part / requests : null);
  const latency = percentiles(sums.latency_hist, sums.latency_max_ms);
  const ttftCount = histogramTotal(sums.ttft_hist);
  return {
    requests,
    errors,
    clientErrors: sums.client_errors,
    serverErrors: sums.server_errors,
    errorRate: ratio(errors),
    tokensIn: sums.tokens_in,
    tokensOut: sums.tokens_out,
    costUsd: sums.cost_usd,
    cacheHits: sums.cache_hits,
    cacheHitRatio: ratio(sums.cache_hits),
    latencyMs: {
      avg: requests > 0 ? sums.latency_sum_ms / requests : null,
      ...latency,
      max: requests > 0 ? sums.latency_max_ms : null,
    },
    ttftMs: { count: ttftCount, ...percentiles(sums.ttft_hist) },
  };
}

const FILTERS: Record<"modelVersionId" | "promptVersionId" | "variantId" | "apiKeyId", RollupDimension> = {
  modelVersionId: "model",
  promptVersionId: "prompt",
  variantId: "variant",
  apiKeyId: "key",
};

/** The one series an overview reads: the project total, or the value a filter names. */
function seriesOf(input: Partial<Record<keyof typeof FILTERS, string>>): { dimension: RollupDimension; id: string } {
  for (const [field, dimension] of Object.entries(FILTERS) as [keyof typeof FILTERS, RollupDimension][]) {
    const id = input[field];
    if (id !== undefined) return { dimension, id };
  }
  return { dimension: "total", id: NIL_UUID };
}

/** The smallest nice step giving at most ~200 points over the span. */
function defaultStep(spanMs: number): number {
  for (const step of NICE_STEPS_S) if (spanMs / 1000 / step <= 200) return step;
  return NICE_STEPS_S[NICE_STEPS_S.length - 1];
}

/**
 * The points of a chart over [from, to): `from` rounded down and `to` up to
 * whole steps (UTC), the step given or the default one, and the rollup that
 * has that resolution.
 */
export function alignWindow(input: { from: Date; to: Date; step?: number }) {
  const step = input.step ?? defaultStep(input.to.getTime() - input.from.getTime());
  const stepMs = step * 1000;
  const fromMs = Math.floor(input.from.getTime() / stepMs) * stepMs;
  const toMs = Math.ceil(input.to.getTime() / stepMs) * stepMs;
  const count = (toMs - fromMs) / stepMs;
  if (count > MAX_POINTS) {
    throw new DomainError(
      "VALIDATION",
      `That range at a ${step} s step is ${count} points; at most ${MAX_POINTS} (use a larger step)`,
      [{ path: "step", message: `at most ${MAX_POINTS} points` }],
    );
  }
  const source: "minute" | "hour" = step % 3600 === 0 ? "hour" : "minute";
  return { step, stepMs, fromMs, toMs, source };
}

/**
 * Time series for the project dashboard: requests/s, error rate, latency and
 * TTFT percentiles, tokens/s, cost, cache hit ratio per step, plus totals.
 * Points with no traffic are present (zeros, null percentiles).
 */
export async function overview(deps: RequestLogDeps, rawInput: OverviewInput): Promise<Overview> {
  const input = overviewInput.parse(rawInput);
  const { step, stepMs, fromMs, toMs, source } = alignWindow(input);
  const series = seriesOf(input);
  const { rows } = await deps.pool.query<Sums & { slot: Date }>(
    `SELECT date_bin(make_interval(secs => $4), bucket_start, timestamptz '1970-01-01 00:00:00+00') AS slot,
  ${SUMS_SQL}
FROM request_log_${source}
WHERE project_id = $1 AND dimension = $5 AND bucket_start >= $2 AND bucket_start < $3 AND dimension_id = $6::uuid
GROUP BY 1`,
    [input.projectId, new Date(fromMs), new Date(toMs), step, series.dimension, series.id],
  );
  const bySlot = new Map(rows.map((row) => [row.slot.getTime(), row]));
  const totals = emptySums();
  const points: OverviewPoint[] = [];
  for (let t = fromMs; t < toMs; t += stepMs) {
    const sums = bySlot.get(t) ?? emptySums();
    addSums(totals, sums);
    points.push({
      t: new Date(t),
      ...metricsOf(sums),
      requestsPerSecond: sums.requests / step,
      tokensInPerSecond: sums.tokens_in / step,
      tokensOutPerSecond: sums.tokens_out / step,
    });
  }
  return {
    projectId: input.projectId,
    from: new Date(fromMs),
    to: new Date(toMs),
    step,
    source,
    points,
    totals: metricsOf(totals),
  };
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * Whole hours come from the hourly rollup, the ragged ends from the
 * per-minute one. Minute resolution: a minute counts when it starts inside
 * [from, to), hence both ends rounded up to whole minutes.
 */
function breakdownSources(fromMs: number, toMs: number): { table: string; from: number; to: number }[] {
  const from = Math.ceil(fromMs / MINUTE_MS) * MINUTE_MS;
  const to = Math.ceil(toMs / MINUTE_MS) * MINUTE_MS;
  const firstHour = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const lastHour = Math.floor(to / HOUR_MS) * HOUR_MS;
  if (firstHour >= lastHour) return [{ table: "request_log_minute", from, to }];
  return [
    { table: "request_log_minute", from, to: firstHour },
    { table: "request_log_hour", from: firstHour, to: lastHour },
    { table: "request_log_minute", from: lastHour, to },
  ].filter((part) => part.from < part.to);
}

/**
 * Totals per model version, prompt version, variant or API key over a range,
 * most requests first, with readable labels.
 */
export async function breakdown(deps: RequestLogDeps, rawInput: BreakdownInput): Promise<Breakdown> {
  const input = breakdownInput.parse(rawInput);
  const params: unknown[] = [input.projectId, input.by];
  const parts = breakdownSources(input.from.getTime(), input.to.getTime()).map((part) => {
    params.push(new Date(part.from), new Date(part.to));
    return `SELECT dimension_id AS key, ${METRIC_COLUMNS} FROM ${part.table}
  WHERE project_id = $1 AND dimension = $2 AND bucket_start >= $${params.length - 1} AND bucket_start < $${params.length}`;
  });
  const { rows } = await deps.pool.query<Sums & { key: string }>(
    `SELECT key::text AS key, ${SUMS_SQL}
FROM (${parts.join("\n  UNION ALL ")}) AS parts
GROUP BY key`,
    params,
  );
  const totals = emptySums();
  for (const row of rows) addSums(totals, row);
  const top = rows.sort((a, b) => b.requests - a.requests || a.key.localeCompare(b.key)).slice(0, input.limit);
  const labels = await labelsFor(
    deps,
    input.by,
    top.map((row) => row.key).filter((key) => key !== NIL_UUID),
  );
  return {
    projectId: input.projectId,
    from: input.from,
    to: input.to,
    by: input.by,
    rows: top.map((row) => ({
      key: row.key === NIL_UUID ? null : row.key,
      label: labels.get(row.key) ?? null,
      share: totals.requests > 0 ? row.requests / totals.requests : 0,
      ...metricsOf(row),
    })),
    totals: metricsOf(totals),
    groups: rows.length,
  };
}

const LABEL_SQL: Record<BreakdownDimension, string> = {
  model: `SELECT v.id::text AS id, m.name || ' v' || v.version AS label
    FROM model_versions v JOIN models m ON m.id = v.model_id WHERE v.id = ANY($1::uuid[])`,
  prompt: `SELECT v.id::text AS id, p.name || ' v' || v.version AS label
    FROM prompt_versions v JOIN prompts p ON p.id = v.prompt_id WHERE v.id = ANY($1::uuid[])`,
  variant: `SELECT v.id::text AS id, e.name || ': ' || coalesce(nullif(v.name, ''), v.key) AS label
    FROM experiment_variants v JOIN experiments e ON e.id = v.experiment_id WHERE v.id = ANY($1::uuid[])`,
  key: `SELECT k.id::text AS id, k.name || ' (' || k.prefix || ')' AS label FROM api_keys k WHERE k.id = ANY($1::uuid[])`,
};

/** Readable names of model versions, prompt versions, variants or keys, by id (ids that no longer exist are left out). */
export async function labelsFor(
  deps: RequestLogDeps,
  by: BreakdownDimension,
  ids: string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await deps.pool.query<{ id: string; label: string }>(LABEL_SQL[by], [ids]);
  return new Map(rows.map((row) => [row.id, row.label]));
}
