// Per-arm figures over a window, read from the request log (which records the prompt and model version every
// request was served by), request feedback and online evaluation scores.
import type { ArmMetrics, RolloutAnalysis } from "@/lib/rollouts/schemas";
import type { Db } from "@/server/db";
import { Prisma } from "@/server/generated/prisma/client";

export interface ArmQuery {
  projectId: string;
  subjectType: "prompt" | "model";
  versionId: string;
  from: Date;
  to: Date;
  analysis: Pick<RolloutAnalysis, "feedback" | "onlineEval">;
}

interface LogRow {
  requests: number;
  errors: number;
  p95: number | null;
  cost: number | null;
}

/**
 * A prompt rollout's arms are the prompt versions (`prompt_version_id`); a model rollout's the model versions
 * (`model_version_id`): every request that version served in the window counts, also one that named it pinned.
 * Errors are server-side failures (status ≥ 500) and any request the gateway logged an error code for.
 */
export async function armMetrics(db: Db, query: ArmQuery): Promise<ArmMetrics> {
  const column = Prisma.raw(query.subjectType === "prompt" ? "prompt_version_id" : "model_version_id");
  const [log] = await db.$queryRaw<LogRow[]>`
    SELECT count(*)::int AS requests,
      count(*) FILTER (WHERE status >= 500 OR error_code IS NOT NULL)::int AS errors,
      percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)::float8 AS p95,
      avg(cost_usd)::float8 AS cost
    FROM request_log
    WHERE project_id = ${query.projectId}::uuid AND ${column} = ${query.versionId}::uuid
      AND started_at >= ${query.from} AND started_at <= ${query.to}`;
  let feedbackMean: number | null = null;
  let feedbackCount = 0;
  if (query.analysis.feedback) {
    const [row] = await db.$queryRaw<{ mean: number | null; n: number }[]>`
      SELECT avg(f.value)::float8 AS mean, count(*)::int AS n
      FROM request_feedback f JOIN request_log r ON r.id = f.request_id AND r.started_at = f.request_started_at
      WHERE f.project_id = ${query.projectId}::uuid AND f.name = ${query.analysis.feedback.name}
        AND f.request_started_at >= ${query.from} AND f.request_started_at <= ${query.to}
        AND r.${column} = ${query.versionId}::uuid`;
    feedbackMean = row?.mean ?? null;
    feedbackCount = row?.n ?? 0;
  }
  let onlineEvalMean: number | null = null;
  let onlineEvalCount = 0;
  if (query.analysis.onlineEval) {
    const [row] = await db.$queryRaw<{ mean: number | null; n: number }[]>`
      SELECT avg(score)::float8 AS mean, count(*)::int AS n FROM online_eval_scores
      WHERE project_id = ${query.projectId}::uuid AND rule_id = ${query.analysis.onlineEval.ruleId}::uuid
        AND ${column} = ${query.versionId}::uuid
        AND request_started_at >= ${query.from} AND request_started_at <= ${query.to}`;
    onlineEvalMean = row?.mean ?? null;
    onlineEvalCount = row?.n ?? 0;
  }
  const requests = log?.requests ?? 0;
  const errors = log?.errors ?? 0;
  return {
    versionId: query.versionId,
    requests,
    errors,
    errorRate: requests ? errors / requests : null,
    latencyP95Ms: requests ? (log?.p95 ?? null) : null,
    costPerRequestUsd: requests ? (log?.cost ?? null) : null,
    feedbackMean,
    feedbackCount,
    onlineEvalMean,
    onlineEvalCount,
  };
}
