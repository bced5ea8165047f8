// What a run's stored results add up to (lib/evals/summary.ts), computed from the rows themselves when the run
// ends, so a resumed or cancelled run reports exactly what it kept.
import { evaluateGate, type Threshold } from "@/lib/evals/gate";
import { meanCi, percentile, wilson } from "@/lib/evals/stats";
import type { MetricSummary, RunSummary, TargetSummary } from "@/lib/evals/summary";
import { batchPool } from "@/server/modules/batches/store";

export interface SummaryRow {
  target_id: string;
  score: number | null;
  passed: boolean | null;
  error: string | null;
  scores: { name: string; score: number; passed: boolean }[];
  latency_ms: number | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  eval_cost_usd: number;
}

/** Scores and passes: the mean's t interval, the pass rate's Wilson interval. */
function metricSummary(values: { score: number; passed: boolean }[]): MetricSummary {
  const { n, mean, ci } = meanCi(values.map((v) => v.score));
  const passed = values.filter((v) => v.passed).length;
  return { n, mean, ci, passRate: n ? passed / n : 0, passCi: wilson(passed, n) };
}

function targetSummary(target: { id: string; position: number; label: string }, rows: SummaryRow[]): TargetSummary {
  const scored = rows.filter((r) => r.error === null && r.score !== null);
  const byEvaluator = new Map<string, { score: number; passed: boolean }[]>();
  for (const r of scored)
    for (const s of r.scores) {
      const list = byEvaluator.get(s.name) ?? [];
      list.push({ score: s.score, passed: s.passed });
      byEvaluator.set(s.name, list);
    }
  // Latency of answered calls: a refused call's few milliseconds say nothing about the target's speed.
  const latencies = rows
    .filter((r) => r.error === null && r.latency_ms !== null)
    .map((r) => r.latency_ms!)
    .sort((a, b) => a - b);
  const sum = (pick: (r: SummaryRow) => number) => rows.reduce((s, r) => s + pick(r), 0);
  return {
    targetId: target.id,
    position: target.position,
    label: target.label,
    results: rows.length,
    errors: rows.filter((r) => r.error !== null).length,
    overall: metricSummary(scored.map((r) => ({ score: r.score!, passed: r.passed === true }))),
    evaluators: Object.fromEntries([...byEvaluator].map(([name, values]) => [name, metricSummary(values)])),
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP95Ms: percentile(latencies, 0.95),
    costUsd: sum((r) => r.cost_usd),
    evalCostUsd: sum((r) => r.eval_cost_usd),
    tokensIn: sum((r) => r.tokens_in),
    tokensOut: sum((r) => r.tokens_out),
  };
}

/**
 * Every target's summary; with thresholds, each target other than the baseline is judged against it (or, without
 * a baseline target, on its own), and the run passes when every judged target does.
 */
export function runSummary(
  targets: { id: string; position: number; label: string }[],
  rows: SummaryRow[],
  gate: { thresholds: Threshold[]; baselinePosition: number | null },
): RunSummary {
  const byTarget = new Map<string, SummaryRow[]>();
  for (const r of rows) byTarget.set(r.target_id, [...(byTarget.get(r.target_id) ?? []), r]);
  const summaries = targets.map((t) => targetSummary(t, byTarget.get(t.id) ?? []));
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

const ROWS_SQL = `SELECT target_id, score, passed, error,
  COALESCE((SELECT json_agg(json_build_object('name', s->>'name', 'score', (s->>'score')::float8,
    'passed', (s->>'passed')::bool)) FROM jsonb_array_elements(scores) s), '[]'::json) AS scores,
  latency_ms, tokens_in, tokens_out, cost_usd, eval_cost_usd
FROM eval_results WHERE run_id = $1`;

export async function loadSummaryRows(runId: string): Promise<SummaryRow[]> {
  return (await batchPool().query<SummaryRow>(ROWS_SQL, [runId])).rows;
}
