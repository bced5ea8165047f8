// What a run's stored results add up to (lib/evals/summary.ts), aggregated by Postgres from the rows themselves
// when the run ends, so a resumed or cancelled run reports exactly what it kept, and a run of 100,000 results
// ships a few rows per target, not every result.
import { evaluateGate, type Threshold } from "@/lib/evals/gate";
import { meanCiFromMoments, wilson } from "@/lib/evals/stats";
import type { MetricSummary, RunSummary, TargetSummary } from "@/lib/evals/summary";
import { batchPool } from "@/server/modules/batches/store";

/** n, mean, sample standard deviation and passes of a set of scores. */
interface Moments {
  n: number;
  mean: number | null;
  sd: number | null;
  passed: number;
}

export interface TargetAggregate extends Moments {
  target_id: string;
  results: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  cost_usd: number;
  eval_cost_usd: number;
  tokens_in: number;
  tokens_out: number;
}

export interface EvaluatorAggregate extends Moments {
  target_id: string;
  name: string;
}

/** Scores and passes: the mean's t interval, the pass rate's Wilson interval. */
function metricSummary(m: Moments): MetricSummary {
  const { n, mean, ci } = meanCiFromMoments(m.n, m.mean ?? 0, m.sd);
  return { n, mean, ci, passRate: n ? m.passed / n : 0, passCi: wilson(m.passed, n) };
}

const EMPTY: Omit<TargetAggregate, "target_id"> = {
  n: 0,
  mean: null,
  sd: null,
  passed: 0,
  results: 0,
  errors: 0,
  p50: null,
  p95: null,
  cost_usd: 0,
  eval_cost_usd: 0,
  tokens_in: 0,
  tokens_out: 0,
};

/**
 * Every target's summary; with thresholds, each target other than the baseline is judged against it (or, without
 * a baseline target, on its own), and the run passes when every judged target does.
 */
export function runSummary(
  targets: { id: string; position: number; label: string }[],
  aggregates: { targets: TargetAggregate[]; evaluators: EvaluatorAggregate[] },
  gate: { thresholds: Threshold[]; baselinePosition: number | null },
): RunSummary {
  const summaries = targets.map((t): TargetSummary => {
    const a = aggregates.targets.find((x) => x.target_id === t.id) ?? { ...EMPTY, target_id: t.id };
    return {
      targetId: t.id,
      position: t.position,
      label: t.label,
      results: a.results,
      errors: a.errors,
      overall: metricSummary(a),
      evaluators: Object.fromEntries(
        aggregates.evaluators.filter((e) => e.target_id === t.id).map((e) => [e.name, metricSummary(e)]),
      ),
      latencyP50Ms: a.p50,
      latencyP95Ms: a.p95,
      costUsd: a.cost_usd,
      evalCostUsd: a.eval_cost_usd,
      tokensIn: a.tokens_in,
      tokensOut: a.tokens_out,
    };
  });
  if (gate.thresholds.length === 0)
    return { targets: summaries, baselinePosition: gate.baselinePosition, gatePassed: null };
  const baseline = summaries.find((s) => s.position === gate.baselinePosition) ?? null;
  for (const s of summaries) if (s !== baseline) s.gate = evaluateGate(s, baseline, gate.thresholds);
  const judged = summaries.filter((s) => s.gate);
  return {
    targets: summaries,
    baselinePosition: gate.baselinePosition,
    gatePassed: judged.length > 0 && judged.every((s) => s.gate!.passed),
  };
}

// A scored result: the call answered and the evaluators ran. Failed calls count in `errors` only. Latency
// percentiles are of answered calls (a refused call's few milliseconds say nothing about the target's speed);
// percentile_cont interpolates between ranks as lib/evals/stats.ts percentile() does.
const SCORED = "error IS NULL AND score IS NOT NULL";
const TARGETS_SQL = `SELECT target_id, count(*)::int AS results, count(*) FILTER (WHERE error IS NOT NULL)::int AS errors,
  count(*) FILTER (WHERE ${SCORED})::int AS n, avg(score) FILTER (WHERE ${SCORED}) AS mean,
  stddev_samp(score) FILTER (WHERE ${SCORED}) AS sd, count(*) FILTER (WHERE ${SCORED} AND passed)::int AS passed,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE error IS NULL) AS p50,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE error IS NULL) AS p95,
  sum(cost_usd) AS cost_usd, sum(eval_cost_usd) AS eval_cost_usd,
  sum(tokens_in)::float8 AS tokens_in, sum(tokens_out)::float8 AS tokens_out
FROM eval_results WHERE run_id = $1 GROUP BY target_id`;
const EVALUATORS_SQL = `SELECT r.target_id, s->>'name' AS name, count(*)::int AS n,
  avg((s->>'score')::float8) AS mean, stddev_samp((s->>'score')::float8) AS sd,
  count(*) FILTER (WHERE (s->>'passed')::bool)::int AS passed
FROM eval_results r CROSS JOIN LATERAL jsonb_array_elements(r.scores) s
WHERE r.run_id = $1 AND r.${SCORED.replace(" AND ", " AND r.")} GROUP BY 1, 2`;

export async function loadAggregates(runId: string) {
  const pool = batchPool();
  const [targets, evaluators] = await Promise.all([
    pool.query<TargetAggregate>(TARGETS_SQL, [runId]),
    pool.query<EvaluatorAggregate>(EVALUATORS_SQL, [runId]),
  ]);
  return { targets: targets.rows, evaluators: evaluators.rows };
}
