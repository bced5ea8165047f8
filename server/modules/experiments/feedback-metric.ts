import type { Db } from "@/server/db";
import { unitMeans, unitRates } from "./unit-aggregates";

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

const params = (scope: FeedbackScope) => [scope.projectId, scope.feedbackName, scope.since, scope.experimentId];

export const feedbackRates = (db: Db, scope: FeedbackScope) => unitRates(db, PER_UNIT, params(scope));

export const feedbackMeans = (db: Db, scope: FeedbackScope) => unitMeans(db, PER_UNIT, params(scope));
