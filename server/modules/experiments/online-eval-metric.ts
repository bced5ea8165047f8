import type { Db } from "@/server/db";
import { unitMeans, unitRates } from "./unit-aggregates";

/**
 * Per-variant aggregates of an online evaluation rule's scores (online_eval_scores, written by the evals
 * module's `eval.online` job) of the requests the gateway served for this experiment — read by SQL, as
 * feedback-metric.ts reads feedback: the experiments module never imports evals. A unit is the request's `user`,
 * else the request. Each unit counts once: a mean averages the unit's scores first; a rate counts a scored unit
 * as converted when any of its sampled answers passed, out of the units with a score (unsampled is not failed).
 *
 * Starts from the rule's scores since the experiment started (index project_id, created_at) and probes each
 * request by its primary key (id, started_at).
 */
const PER_UNIT = `
  SELECT r.variant_id, COALESCE(r.user_id, 'req:' || r.id::text) AS unit,
         AVG(s.score) AS mean, BOOL_OR(s.passed) AS positive
    FROM online_eval_scores s
    JOIN online_eval_rules rule ON rule.id = s.rule_id AND rule.project_id = $1::uuid AND rule.name = $2
    JOIN request_log r ON r.id = s.request_id AND r.started_at = s.request_started_at
   WHERE s.project_id = $1::uuid AND s.created_at >= $3
     AND r.project_id = $1::uuid AND r.experiment_id = $4::uuid AND r.variant_id IS NOT NULL
   GROUP BY r.variant_id, unit`;

export interface OnlineEvalScope {
  projectId: string;
  experimentId: string;
  /** The experiment's start: scores given before it cannot be about its requests. */
  since: Date;
  ruleName: string;
}

const params = (scope: OnlineEvalScope) => [scope.projectId, scope.ruleName, scope.since, scope.experimentId];

export const onlineEvalRates = (db: Db, scope: OnlineEvalScope) => unitRates(db, PER_UNIT, params(scope));

export const onlineEvalMeans = (db: Db, scope: OnlineEvalScope) => unitMeans(db, PER_UNIT, params(scope));
