// The one statement that stores a batch: raw rows plus both rollups, in one
// round trip and one transaction. Rows travel as a single JSON array parameter
// (json_to_recordset), which is cheaper to build than per-column arrays (no
// array-literal escaping) and keeps the statement fixed so it is prepared once
// per connection. ON CONFLICT DO NOTHING makes a retried batch idempotent (a
// commit whose acknowledgement was lost), and the rollups are computed from
// the rows actually inserted (RETURNING), so they never count a row twice.
import { boundsSqlLiteral, HISTOGRAM_SIZE } from "./histogram";
import type { RequestLogEntry } from "./types";

/** Stands for "none" in the rollups' dimension columns (they are part of the primary key). */
export const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/** Entry field -> column, with the SQL type json_to_recordset parses it as. */
export const ENTRY_COLUMNS = [
  ["id", "id", "uuid"],
  ["projectId", "project_id", "uuid"],
  ["apiKeyId", "api_key_id", "uuid"],
  ["startedAt", "started_at", "timestamptz"],
  ["method", "method", "text"],
  ["path", "path", "text"],
  ["requestedModel", "requested_model", "text"],
  ["modelId", "model_id", "uuid"],
  ["modelVersionId", "model_version_id", "uuid"],
  ["promptVersionId", "prompt_version_id", "uuid"],
  ["experimentId", "experiment_id", "uuid"],
  ["variantId", "variant_id", "uuid"],
  ["deployment", "deployment", "text"],
  ["status", "status", "smallint"],
  ["errorCode", "error_code", "text"],
  ["errorMessage", "error_message", "text"],
  ["stream", "stream", "boolean"],
  ["latencyMs", "latency_ms", "real"],
  ["ttftMs", "ttft_ms", "real"],
  ["tokensIn", "tokens_in", "integer"],
  ["tokensOut", "tokens_out", "integer"],
  ["costUsd", "cost_usd", "double precision"],
  ["cacheHit", "cache_hit", "boolean"],
  ["guardrails", "guardrails", "jsonb"],
  ["requestBody", "request_body", "jsonb"],
  ["responseBody", "response_body", "jsonb"],
  ["userId", "user_id", "text"],
  ["finishReason", "finish_reason", "text"],
  ["toolNames", "tool_names", "text[]"],
  ["cachedTokens", "cached_tokens", "integer"],
  ["cacheWriteTokens", "cache_write_tokens", "integer"],
  ["reasoningTokens", "reasoning_tokens", "integer"],
  ["modalities", "modalities", "text[]"],
  ["sessionId", "session_id", "text"],
  ["batchId", "batch_id", "text"],
  ["device", "device", "text"],
] as const satisfies readonly (readonly [keyof RequestLogEntry, string, string])[];

/**
 * Short JSON keys (k0, k1, ...) for the entry fields, in ENTRY_COLUMNS order:
 * the batch parameter is mostly keys otherwise, and Postgres's JSON parsing
 * is the largest part of a batch's cost.
 */
const JSON_KEYS = ENTRY_COLUMNS.map((_, i) => `k${i}`);

/** Rollup dimensions: the column of request_log each one groups by ("total" groups by none). */
const DIMENSION_COLUMNS = {
  model: "model_version_id",
  prompt: "prompt_version_id",
  variant: "variant_id",
  key: "api_key_id",
} as const;
export type RollupDimension = "total" | keyof typeof DIMENSION_COLUMNS;

const BUCKETS = Array.from({ length: HISTOGRAM_SIZE }, (_, i) => i);

/** Histogram of bucket indexes as one int[] (inline aggregates: no per-group function calls). */
const histogramOf = (bucket: string) =>
  `ARRAY[${BUCKETS.map((i) => `count(*) FILTER (WHERE ${bucket} = ${i})`).join(", ")}]::int[]`;
const sumOfHistograms = (column: string) =>
  `ARRAY[${BUCKETS.map((i) => `sum(${column}[${i + 1}])`).join(", ")}]::int[]`;
const addHistograms = (column: string) =>
  `ARRAY[${BUCKETS.map((i) => `t.${column}[${i + 1}] + excluded.${column}[${i + 1}]`).join(", ")}]`;

const METRICS: { column: string; resum: string; merge: string }[] = [
  { column: "requests", resum: "sum(requests)", merge: "t.requests + excluded.requests" },
  { column: "client_errors", resum: "sum(client_errors)", merge: "t.client_errors + excluded.client_errors" },
  { column: "server_errors", resum: "sum(server_errors)", merge: "t.server_errors + excluded.server_errors" },
  { column: "tokens_in", resum: "sum(tokens_in)", merge: "t.tokens_in + excluded.tokens_in" },
  { column: "tokens_out", resum: "sum(tokens_out)", merge: "t.tokens_out + excluded.tokens_out" },
  { column: "cost_usd", resum: "sum(cost_usd)", merge: "t.cost_usd + excluded.cost_usd" },
  { column: "cache_hits", resum: "sum(cache_hits)", merge: "t.cache_hits + excluded.cache_hits" },
  { column: "latency_sum_ms", resum: "sum(latency_sum_ms)", merge: "t.latency_sum_ms + excluded.latency_sum_ms" },
  {
    column: "latency_max_ms",
    resum: "max(latency_max_ms)",
    merge: "greatest(t.latency_max_ms, excluded.latency_max_ms)",
  },
  { column: "latency_hist", resum: sumOfHistograms("latency_hist"), merge: addHistograms("latency_hist") },
  { column: "ttft_hist", resum: sumOfHistograms("ttft_hist"), merge: addHistograms("ttft_hist") },
];

const ROLLUP_KEYS = ["project_id", "dimension", "bucket_start", "dimension_id"];

/**
 * One rollup upsert; `select` yields ROLLUP_KEYS then the METRICS columns,
 * sorted by key so that concurrent writers (replicas) lock rollup rows in
 * the same order.
 */
function upsert(cte: string, table: string, select: string): string {
  const columns = [...ROLLUP_KEYS, ...METRICS.map((m) => m.column)];
  return `${cte} AS (
  INSERT INTO ${table} AS t (${columns.join(", ")})
  ${select}
  ON CONFLICT (${ROLLUP_KEYS.join(", ")}) DO UPDATE SET ${METRICS.map((m) => `${m.column} = ${m.merge}`).join(", ")}
  RETURNING 1
)`;
}

function buildIngestSql(): string {
  const recordset = ENTRY_COLUMNS.map(([, , type], i) => `${JSON_KEYS[i]} ${type}`).join(", ");
  const columns = ENTRY_COLUMNS.map(([, column]) => column).join(", ");
  const values = JSON_KEYS.join(", ");
  const bounds = boundsSqlLiteral();
  const dimensions = Object.entries(DIMENSION_COLUMNS);
  // One grouping set per dimension plus the total: in each output row only
  // the grouped column survives (the others read as NULL), and GROUPING()
  // tells a grouped NULL ("none") from a column that is not grouped.
  const dimension = `CASE ${dimensions.map(([name, column]) => `WHEN GROUPING(${column}) = 0 THEN '${name}'`).join(" ")} ELSE 'total' END`;
  const dimensionId = `coalesce(${dimensions.map(([, column]) => column).join(", ")}, '${NIL_UUID}'::uuid)`;
  const hour = "date_trunc('hour', bucket_start, 'UTC')";
  return `WITH ins AS (
  INSERT INTO request_log (${columns})
  SELECT ${values} FROM json_to_recordset($1::json) AS r(${recordset})
  ON CONFLICT DO NOTHING
  RETURNING project_id, started_at, model_version_id, prompt_version_id, variant_id, api_key_id,
    status, tokens_in, tokens_out, cost_usd, cache_hit, latency_ms, ttft_ms
), facts AS MATERIALIZED (
  -- Materialised so that each row's buckets are computed once, not once per aggregate.
  SELECT *, width_bucket(latency_ms::float8, ${bounds}) AS lb, width_bucket(ttft_ms::float8, ${bounds}) AS tb
  FROM ins
), delta AS (
  SELECT project_id, ${dimension} AS dimension, date_trunc('minute', started_at, 'UTC') AS bucket_start,
    ${dimensionId} AS dimension_id,
    count(*)::int AS requests,
    (count(*) FILTER (WHERE status >= 400 AND status < 500))::int AS client_errors,
    (count(*) FILTER (WHERE status >= 500))::int AS server_errors,
    sum(tokens_in)::bigint AS tokens_in,
    sum(tokens_out)::bigint AS tokens_out,
    sum(cost_usd) AS cost_usd,
    (count(*) FILTER (WHERE cache_hit))::int AS cache_hits,
    sum(latency_ms::float8) AS latency_sum_ms,
    max(latency_ms) AS latency_max_ms,
    ${histogramOf("lb")} AS latency_hist,
    ${histogramOf("tb")} AS ttft_hist
  FROM facts
  GROUP BY project_id, date_trunc('minute', started_at, 'UTC'),
    GROUPING SETS ((), ${dimensions.map(([, column]) => `(${column})`).join(", ")})
), ${upsert("m", "request_log_minute", `SELECT * FROM delta ORDER BY ${ROLLUP_KEYS.join(", ")}`)},
${upsert(
  "h",
  "request_log_hour",
  `SELECT project_id, dimension, ${hour}, dimension_id, ${METRICS.map((m) => m.resum).join(", ")}
  FROM delta GROUP BY project_id, dimension, ${hour}, dimension_id
  ORDER BY project_id, dimension, ${hour}, dimension_id`,
)}
SELECT (SELECT count(*) FROM ins)::int AS inserted`;
}

/** The batch statement; $1 is a JSON array of entries (see serializeEntry). */
export const INGEST_SQL = buildIngestSql();
/** Prepared once per connection under this name (bump it when INGEST_SQL changes shape). */
export const INGEST_STATEMENT_NAME = "switchyard_request_log_ingest_v7";

// NUL (Postgres text cannot hold it) and lone UTF-16 surrogates (Postgres
// rejects their \u escapes) are the two ways valid JSON still fails to store.
// JSON.stringify escapes both, so their escapes are cheap to look for.
const UNSTORABLE_ESCAPE = /\\u(?:0000|d[89a-f])/i;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function storableStrings(_key: string, value: unknown): unknown {
  if (typeof value !== "string") return value;
  return value.replace(LONE_SURROGATE, "\uFFFD").replaceAll("\0", "\uFFFD");
}

/** The entry under its short keys; spelled out, which V8 serialises fastest (a unit test checks it against ENTRY_COLUMNS). */
function keyed(entry: RequestLogEntry): Record<string, unknown> {
  return {
    k0: entry.id,
    k1: entry.projectId,
    k2: entry.apiKeyId,
    k3: entry.startedAt,
    k4: entry.method,
    k5: entry.path,
    k6: entry.requestedModel,
    k7: entry.modelId,
    k8: entry.modelVersionId,
    k9: entry.promptVersionId,
    k10: entry.experimentId,
    k11: entry.variantId,
    k12: entry.deployment,
    k13: entry.status,
    k14: entry.errorCode,
    k15: entry.errorMessage,
    k16: entry.stream,
    k17: entry.latencyMs,
    k18: entry.ttftMs,
    k19: entry.tokensIn,
    k20: entry.tokensOut,
    k21: entry.costUsd,
    k22: entry.cacheHit,
    k23: entry.guardrails,
    k24: entry.requestBody,
    k25: entry.responseBody,
    k26: entry.userId,
    // Absent (undefined) fields drop out of the JSON and read as NULL.
    k27: entry.finishReason,
    k28: entry.toolNames,
    k29: entry.cachedTokens,
    k30: entry.cacheWriteTokens,
    k31: entry.reasoningTokens,
    k32: entry.modalities,
    k33: entry.sessionId,
    k34: entry.batchId,
    k35: entry.device,
  };
}

/**
 * One entry as a JSON object for the batch parameter, keyed k0..k35 in
 * ENTRY_COLUMNS order (see JSON_KEYS). Throws only when a field cannot be
 * serialised at all (a BigInt or a cycle in a body).
 */
export function serializeEntry(entry: RequestLogEntry): string {
  const json = JSON.stringify(keyed(entry));
  return UNSTORABLE_ESCAPE.test(json) ? JSON.stringify(keyed(entry), storableStrings) : json;
}

/** serializeEntry's JSON back as entry fields (tests). */
export function parseSerializedEntry(json: string): Record<string, unknown> {
  const byKey = JSON.parse(json) as Record<string, unknown>;
  return Object.fromEntries(ENTRY_COLUMNS.map(([field], i) => [field, byKey[JSON_KEYS[i]]]));
}

/**
 * The entry without what most likely made Postgres refuse it (bodies,
 * guardrails, an enormous error message), for a second attempt at storing
 * the request itself.
 */
export function salvageEntry(entry: RequestLogEntry): RequestLogEntry {
  return {
    ...entry,
    guardrails: [],
    requestBody: null,
    responseBody: null,
    errorMessage: entry.errorMessage === null ? null : String(entry.errorMessage).slice(0, 2000),
    method: String(entry.method).slice(0, 32),
    path: String(entry.path).slice(0, 2000),
  };
}

/**
 * A serialised row without what most likely made Postgres refuse it (see salvageEntry), with its id; works on
 * rows read back from the spool as well as on fresh ones.
 */
export function salvageSerialized(json: string): { id: string; json: string } {
  const fields = parseSerializedEntry(json) as unknown as RequestLogEntry;
  return { id: String(fields.id), json: serializeEntry(salvageEntry(fields)) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OPTIONAL_IDS = ["apiKeyId", "modelId", "modelVersionId", "promptVersionId", "experimentId", "variantId"] as const;
const INT32_MAX = 2_147_483_647;

const isCount = (value: unknown) => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= INT32_MAX;
const isOptionalCount = (value: unknown) => value === undefined || value === null || isCount(value);
const isOptionalList = (value: unknown) => value === undefined || value === null || Array.isArray(value);
const isMs = (value: unknown) => typeof value === "number" && value >= 0 && value < 1e12;

/**
 * Why an entry breaks the contract, or null when it is fine. Cheap (a few
 * typeof checks and regexes): it runs in record(), on the gateway's path, so
 * that one bad entry can never poison a batch.
 */
export function entryProblem(entry: RequestLogEntry): string | null {
  if (typeof entry !== "object" || entry === null) return "not an object";
  if (typeof entry.id !== "string" || !UUID.test(entry.id)) return "id must be a UUID";
  if (typeof entry.projectId !== "string" || !UUID.test(entry.projectId)) return "projectId must be a UUID";
  for (const key of OPTIONAL_IDS) {
    const value = entry[key];
    if (value !== null && value !== undefined && (typeof value !== "string" || !UUID.test(value))) {
      return `${key} must be a UUID or null`;
    }
  }
  if (!(entry.startedAt instanceof Date) || Number.isNaN(entry.startedAt.getTime())) return "startedAt must be a Date";
  if (!Number.isInteger(entry.status) || entry.status < 0 || entry.status > 999) return "status must be an HTTP status";
  if (!isMs(entry.latencyMs)) return "latencyMs must be a non-negative number";
  if (entry.ttftMs !== null && entry.ttftMs !== undefined && !isMs(entry.ttftMs)) return "ttftMs must be >= 0 or null";
  if (!isCount(entry.tokensIn) || !isCount(entry.tokensOut)) return "tokensIn/tokensOut must be non-negative integers";
  if (typeof entry.costUsd !== "number" || !Number.isFinite(entry.costUsd)) return "costUsd must be a finite number";
  if (typeof entry.method !== "string" || typeof entry.path !== "string") return "method and path must be strings";
  if (typeof entry.stream !== "boolean" || typeof entry.cacheHit !== "boolean")
    return "stream and cacheHit must be booleans";
  if (!Array.isArray(entry.guardrails)) return "guardrails must be an array";
  if (!isOptionalCount(entry.cachedTokens) || !isOptionalCount(entry.cacheWriteTokens))
    return "cachedTokens/cacheWriteTokens must be non-negative integers or null";
  if (!isOptionalCount(entry.reasoningTokens)) return "reasoningTokens must be a non-negative integer or null";
  if (!isOptionalList(entry.toolNames) || !isOptionalList(entry.modalities))
    return "toolNames and modalities must be arrays or null";
  if (entry.sessionId !== undefined && entry.sessionId !== null && typeof entry.sessionId !== "string")
    return "sessionId must be a string or null";
  return null;
}
