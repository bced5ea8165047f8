// Sessions read straight from request_log, bounded like the explorer: one project, a time range of at most
// SESSIONS_MAX_DAYS, a LIMIT, and a statement timeout.

import { EXPLORER_TIMEOUT_MS } from "@/lib/request-explorer";
import {
  type GetSessionInput,
  getSessionInput,
  type ListSessionsInput,
  listSessionsInput,
  type SessionKind,
  type SessionSummary,
  TRANSCRIPT_LIMIT,
} from "@/lib/sessions";
import type { RequestLogDeps } from "@/server/modules/request-log/queryable";
import { boundedQuery } from "@/server/modules/request-log/statement-timeout";

interface SummaryRow {
  kind: SessionKind;
  key: string;
  requests: number;
  errors: number;
  first_seen: Date;
  last_seen: Date;
  cost_usd: number;
  tokens_in: string;
  tokens_out: string;
  users: string[] | null;
}

const SUMMARY_SELECT = `count(*)::int AS requests, (count(*) FILTER (WHERE status >= 400))::int AS errors,
  min(started_at) AS first_seen, max(started_at) AS last_seen, coalesce(sum(cost_usd), 0)::float8 AS cost_usd,
  sum(tokens_in)::bigint AS tokens_in, sum(tokens_out)::bigint AS tokens_out,
  (array_agg(DISTINCT user_id) FILTER (WHERE user_id IS NOT NULL))[1:20] AS users`;

/** A session is its header when the request had one, else its `user`. */
const KIND_SQL = "CASE WHEN session_id IS NOT NULL THEN 'session' ELSE 'user' END";
const KEY_SQL = "coalesce(session_id, user_id)";
/** The rows of one session: the same split as the list's grouping. */
const MEMBER_SQL: Record<SessionKind, string> = {
  session: "session_id = $4",
  user: "session_id IS NULL AND user_id = $4",
};

function toSummary(row: SummaryRow): SessionSummary {
  return {
    kind: row.kind,
    key: row.key,
    requests: row.requests,
    errors: row.errors,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    costUsd: row.cost_usd,
    tokensIn: Number(row.tokens_in),
    tokensOut: Number(row.tokens_out),
    users: row.users ?? [],
  };
}

type Deps = RequestLogDeps & { projectId: string };

/** Sessions and users with requests in [from, to), the most recently active first. */
export async function listSessions(deps: Deps, rawInput: ListSessionsInput): Promise<{ items: SessionSummary[] }> {
  const input = listSessionsInput.parse(rawInput);
  const kindFilter =
    input.kind === "session"
      ? "session_id IS NOT NULL"
      : input.kind === "user"
        ? "session_id IS NULL AND user_id IS NOT NULL"
        : "(session_id IS NOT NULL OR user_id IS NOT NULL)";
  const rows = await boundedQuery<SummaryRow>(
    deps.pool,
    EXPLORER_TIMEOUT_MS,
    `SELECT ${KIND_SQL} AS kind, ${KEY_SQL} AS key, ${SUMMARY_SELECT}
FROM request_log WHERE project_id = $1 AND started_at >= $2 AND started_at < $3 AND ${kindFilter}
GROUP BY 1, 2 ORDER BY last_seen DESC, key LIMIT $4`,
    [deps.projectId, input.from, input.to, input.limit],
  );
  return { items: rows.map(toSummary) };
}

interface TurnRow {
  id: string;
  started_at: Date;
  status: number;
  requested_model: string | null;
  latency_ms: number;
  cost_usd: number;
  user_id: string | null;
  error_message: string | null;
  request_body: unknown;
  response_body: unknown;
}

/** One session's requests in [from, to), oldest first (at most TRANSCRIPT_LIMIT), with their bodies. */
export async function getSession(deps: Deps, rawInput: GetSessionInput) {
  const input = getSessionInput.parse(rawInput);
  const params = [deps.projectId, input.from, input.to, input.key];
  const where = `project_id = $1 AND started_at >= $2 AND started_at < $3 AND ${MEMBER_SQL[input.kind]}`;
  const [summaries, turns] = await Promise.all([
    boundedQuery<SummaryRow>(
      deps.pool,
      EXPLORER_TIMEOUT_MS,
      `SELECT $5::text AS kind, $4::text AS key, ${SUMMARY_SELECT} FROM request_log WHERE ${where} HAVING count(*) > 0`,
      [...params, input.kind],
    ),
    boundedQuery<TurnRow>(
      deps.pool,
      EXPLORER_TIMEOUT_MS,
      `SELECT id, started_at, status, requested_model, latency_ms, cost_usd, user_id, error_message, request_body,
  response_body FROM request_log WHERE ${where} ORDER BY started_at, id LIMIT ${TRANSCRIPT_LIMIT}`,
      params,
    ),
  ]);
  const summary = summaries[0] ? toSummary(summaries[0]) : null;
  return {
    summary,
    truncated: summary !== null && summary.requests > turns.length,
    turns: turns.map((t) => ({
      id: t.id,
      startedAt: t.started_at,
      status: t.status,
      requestedModel: t.requested_model,
      latencyMs: t.latency_ms,
      costUsd: t.cost_usd,
      userId: t.user_id,
      errorMessage: t.error_message,
      requestBody: (t.request_body ?? null) as never,
      responseBody: (t.response_body ?? null) as never,
    })),
  };
}
