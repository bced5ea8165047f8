// The request explorer: raw rows, newest first, keyset-paginated on
// (started_at, id) so every page costs the same however deep it is, and
// partition-pruned by the time range.

import {
  EXPLORER_TIMEOUT_MS,
  type SearchRequestsInput,
  type StatusFilter,
  searchRequestsInput,
} from "@/lib/request-explorer";
import { DomainError, notFound } from "@/server/errors";
import type { RequestLogDeps } from "./queryable";
import { type GetRequestInput, getRequestInput } from "./schemas";
import { boundedQuery } from "./statement-timeout";
import type { RequestLogEntry } from "./types";

/** A stored entry: the fields a writer may leave out read back as null. */
type StoredEntry = Omit<Required<RequestLogEntry>, "modalities"> & { modalities: string[] | null };
/** An explorer row: the entry without its bodies (getRequest has them). */
type RequestSummary = Omit<StoredEntry, "requestBody" | "responseBody">;

export interface RequestPage {
  items: RequestSummary[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

const SUMMARY_COLUMNS = `id, project_id, api_key_id, started_at, method, path, requested_model, model_id,
  model_version_id, prompt_version_id, experiment_id, variant_id, deployment, status, error_code, error_message,
  stream, latency_ms, ttft_ms, tokens_in, tokens_out, cost_usd, cache_hit, guardrails, user_id, finish_reason,
  tool_names, cached_tokens, cache_write_tokens, reasoning_tokens, modalities, session_id, batch_id, device`;

interface Row {
  id: string;
  project_id: string;
  api_key_id: string | null;
  started_at: Date;
  method: string;
  path: string;
  requested_model: string | null;
  model_id: string | null;
  model_version_id: string | null;
  prompt_version_id: string | null;
  experiment_id: string | null;
  variant_id: string | null;
  deployment: string | null;
  status: number;
  error_code: string | null;
  error_message: string | null;
  stream: boolean;
  latency_ms: number;
  ttft_ms: number | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  cache_hit: boolean;
  guardrails: RequestLogEntry["guardrails"];
  user_id: string | null;
  finish_reason: string | null;
  tool_names: string[] | null;
  cached_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;
  modalities: string[] | null;
  session_id: string | null;
  batch_id: string | null;
  device: string | null;
  request_body?: unknown;
  response_body?: unknown;
}

function toSummary(row: Row): RequestSummary {
  return {
    id: row.id,
    projectId: row.project_id,
    apiKeyId: row.api_key_id,
    startedAt: row.started_at,
    method: row.method,
    path: row.path,
    requestedModel: row.requested_model,
    modelId: row.model_id,
    modelVersionId: row.model_version_id,
    promptVersionId: row.prompt_version_id,
    experimentId: row.experiment_id,
    variantId: row.variant_id,
    deployment: row.deployment,
    status: row.status,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    stream: row.stream,
    latencyMs: row.latency_ms,
    ttftMs: row.ttft_ms,
    tokensIn: row.tokens_in,
    tokensOut: row.tokens_out,
    costUsd: row.cost_usd,
    cacheHit: row.cache_hit,
    guardrails: row.guardrails,
    userId: row.user_id,
    finishReason: row.finish_reason,
    toolNames: row.tool_names,
    cachedTokens: row.cached_tokens,
    cacheWriteTokens: row.cache_write_tokens,
    reasoningTokens: row.reasoning_tokens,
    modalities: row.modalities,
    sessionId: row.session_id,
    batchId: row.batch_id,
    device: row.device,
  };
}

function encodeCursor(row: { startedAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.startedAt.toISOString(), row.id])).toString("base64url");
}

function decodeCursor(cursor: string): { startedAt: Date; id: string } {
  const invalid = () =>
    new DomainError("VALIDATION", "Invalid cursor", [{ path: "cursor", message: "Invalid cursor" }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== "string" || typeof parsed[1] !== "string") {
    throw invalid();
  }
  const startedAt = new Date(parsed[0]);
  if (Number.isNaN(startedAt.getTime()) || !/^[0-9a-f-]{36}$/i.test(parsed[1])) throw invalid();
  return { startedAt, id: parsed[1] };
}

const STATUS_SQL: Record<Exclude<StatusFilter, number>, string> = {
  ok: "status < 400",
  error: "status >= 400",
  client_error: "status >= 400 AND status < 500",
  server_error: "status >= 500",
};

/** `%`, `_` and `\\` taken literally by ILIKE. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The WHERE clause of the explorer's filters: every value a parameter. Text search reads the stored bodies as
 * JSON text, so the term is matched as JSON writes it (quotes and newlines escaped).
 */
function filterSql(input: ReturnType<typeof searchRequestsInput.parse>) {
  const params: unknown[] = [input.projectId, input.from, input.to];
  const where = ["project_id = $1", "started_at >= $2", "started_at < $3"];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (typeof input.status === "number") add((n) => `status = ${n}`, input.status);
  else if (input.status) where.push(STATUS_SQL[input.status]);
  if (input.model) add((n) => `model_version_id = ${n}::uuid`, input.model);
  if (input.modelId) add((n) => `model_id = ${n}::uuid`, input.modelId);
  if (input.requestedModel) add((n) => `requested_model = ${n}`, input.requestedModel);
  if (input.key) add((n) => `api_key_id = ${n}::uuid`, input.key);
  if (input.user) add((n) => `user_id = ${n}`, input.user);
  if (input.session) add((n) => `session_id = ${n}`, input.session);
  if (input.promptVersionId) add((n) => `prompt_version_id = ${n}::uuid`, input.promptVersionId);
  if (input.variantId) add((n) => `variant_id = ${n}::uuid`, input.variantId);
  if (input.minLatencyMs !== undefined) add((n) => `latency_ms >= ${n}`, input.minLatencyMs);
  if (input.maxLatencyMs !== undefined) add((n) => `latency_ms <= ${n}`, input.maxLatencyMs);
  if (input.minCostUsd !== undefined) add((n) => `cost_usd >= ${n}`, input.minCostUsd);
  if (input.maxCostUsd !== undefined) add((n) => `cost_usd <= ${n}`, input.maxCostUsd);
  if (input.guardrail === "any") where.push("guardrails <> '[]'::jsonb");
  else if (input.guardrail === "none") where.push("guardrails = '[]'::jsonb");
  else if (input.guardrail) add((n) => `guardrails @> ${n}::jsonb`, JSON.stringify([{ action: input.guardrail }]));
  if (input.tool) add((n) => `${n} = ANY(tool_names)`, input.tool);
  if (input.batch) add((n) => `batch_id = ${n}`, input.batch);
  if (input.q) {
    params.push(`%${likeLiteral(JSON.stringify(input.q).slice(1, -1))}%`, `%${likeLiteral(input.q)}%`);
    const [json, plain] = [`$${params.length - 1}`, `$${params.length}`];
    where.push(
      `(request_body::text ILIKE ${json} OR response_body::text ILIKE ${json} OR error_message ILIKE ${plain})`,
    );
  }
  return { params, where };
}

/**
 * Requests of a project in [from, to), newest first, filtered. Bounded for the other tenants' sake: one
 * project, one time range (a text search at most SEARCH_MAX_DAYS), at most 200 rows, cancelled after
 * EXPLORER_TIMEOUT_MS.
 */
export async function searchRequests(deps: RequestLogDeps, rawInput: SearchRequestsInput): Promise<RequestPage> {
  const input = searchRequestsInput.parse(rawInput);
  const { params, where } = filterSql(input);
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor);
    params.push(cursor.startedAt, cursor.id);
    const [at, id] = [`$${params.length - 1}`, `$${params.length}`];
    // The plain bound lets the index scan start at the cursor; the row comparison breaks ties.
    where.push(`started_at <= ${at}`, `(started_at, id) < (${at}::timestamptz, ${id}::uuid)`);
  }
  params.push(input.limit + 1);
  const rows = await boundedQuery<Row>(
    deps.pool,
    EXPLORER_TIMEOUT_MS,
    `SELECT ${SUMMARY_COLUMNS} FROM request_log WHERE ${where.join(" AND ")}
ORDER BY started_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  const items = rows.slice(0, input.limit).map(toSummary);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > input.limit && last ? encodeCursor(last) : null };
}

/** One request with its bodies. NOT_FOUND when it is not in this project (or past retention). */
export async function getRequest(deps: RequestLogDeps, rawInput: GetRequestInput): Promise<StoredEntry> {
  const input = getRequestInput.parse(rawInput);
  const params: unknown[] = [input.id, input.projectId];
  if (input.startedAt) params.push(input.startedAt);
  const { rows } = await deps.pool.query<Row>(
    `SELECT ${SUMMARY_COLUMNS}, request_body, response_body FROM request_log
WHERE id = $1 AND project_id = $2${input.startedAt ? " AND started_at = $3" : ""}
LIMIT 1`,
    params,
  );
  const row = rows[0];
  if (!row) throw notFound("Request", input.id);
  return { ...toSummary(row), requestBody: row.request_body ?? null, responseBody: row.response_body ?? null };
}
