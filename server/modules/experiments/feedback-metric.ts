import type { Db } from "@/server/db";

/**
 * Per-variant aggregates of a feedback score (request_feedback rows named `name`) given to the requests the
 * gateway served for this experiment (request_log.experiment_id / variant_id; variant_id is set only for a
 * request that was exposed). A unit is the request's `user` (the experiment's sticky unit), else the request
 * itself, as for exposures. Each unit counts once: a mean averages the unit's scores first; a rate counts a
 * rated unit as converted when any of its scores is above 0 (thumbs 1/0 or 1/−1), out of the units that were
 * rated at all — not having rated is not a thumbs-down.
 *
 * The query starts from the feedback (index project_id, name, created_at; only scores given since the
 * experiment started) and probes each request by its primary key (id, started_at), so it reads the
 * project's scores of that name, never the project's whole request log.
 */
const PER_UNIT = `
  SELECT r.variant_id, COALESCE(r.user_id, 'req:' || r.id::text) AS unit,
         AVG(f.value) AS mean, BOOL_OR(f.value > 0) AS positive
    FROM request_feedback f
    JOIN request_log r ON r.id = f.request_id AND r.started_at = f.request_started_at
   WHERE f.project_id = $1::uuid AND f.name = $2 AND f.created_at >= $3
     AND r.project_id = $1::uuid AND r.experiment_id = $4::uuid AND r.variant_id IS NOT NULL
   GROUP BY r.variant_id, unit`;

export interface FeedbackScope {
  projectId: string;
  experimentId: string;
  /** The experiment's start: feedback given before it cannot be about its requests. */
  since: Date;
  feedbackName: string;
}

export async function feedbackRates(db: Db, scope: FeedbackScope) {
  const rows = await db.$queryRawUnsafe<{ variant_id: string; n: bigint; conversions: bigint }[]>(
    `SELECT variant_id, COUNT(*) AS n, COUNT(*) FILTER (WHERE positive) AS conversions FROM (${PER_UNIT}) per_unit
      GROUP BY variant_id`,
    scope.projectId,
    scope.feedbackName,
    scope.since,
    scope.experimentId,
  );
  return new Map(rows.map((r) => [r.variant_id, { n: Number(r.n), conversions: Number(r.conversions) }]));
}

export async function feedbackMeans(db: Db, scope: FeedbackScope) {
  const rows = await db.$queryRawUnsafe<{ variant_id: string; n: bigint; sum: number; sum_squares: number }[]>(
    `SELECT variant_id, COUNT(*) AS n, SUM(mean) AS sum, SUM(mean * mean) AS sum_squares FROM (${PER_UNIT}) per_unit
      GROUP BY variant_id`,
    scope.projectId,
    scope.feedbackName,
    scope.since,
    scope.experimentId,
  );
  return new Map(rows.map((r) => [r.variant_id, { n: Number(r.n), sum: r.sum, sumSquares: r.sum_squares }]));
}
