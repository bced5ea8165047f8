// A run's results page: the run, each target with its numbers per evaluator, and the result rows a page at a time.
import type { ListRunResultsInput, MetricCell, ResultRowOut, RunDetailOut, RunTargetOut } from "@/lib/evals/compare";
import { OUTPUT_MAX_CHARS } from "@/lib/evals/compare";
import type { GateVerdict, MetricSummary, TargetSummary } from "@/lib/evals/summary";
import { Prisma } from "@/server/generated/prisma/client";
import type { ProjectDeps } from "@/server/modules/deps";
import { expectedText, findRun, inputPreview, isRecord, num, parseScores } from "./rows";

const LIVE_STATUSES = ["queued", "running"];

interface LiveTargetRow {
  target_id: string;
  results: number;
  errors: number;
  mean: number | null;
  pass_rate: number | null;
  scored: number;
  passed_n: number;
  cost: number | null;
  p50: number | null;
  p95: number | null;
}

interface LiveEvaluatorRow {
  target_id: string;
  name: string;
  n: number;
  mean: number | null;
  pass_rate: number | null;
}

/** A MetricSummary from the written summary, if it has the shape (intervals included). */
function summaryCell(value: unknown): MetricCell | null {
  if (!isRecord(value)) return null;
  const pair = (v: unknown): [number, number] | null =>
    Array.isArray(v) && v.length === 2 && num(v[0]) !== null && num(v[1]) !== null ? [v[0], v[1]] : null;
  const m = value as Partial<MetricSummary>;
  if (num(m.n) === null) return null;
  return { n: m.n as number, mean: num(m.mean), ci: pair(m.ci), passRate: num(m.passRate), passCi: pair(m.passCi) };
}

function gateOf(value: unknown): GateVerdict | null {
  if (!isRecord(value) || typeof value.passed !== "boolean" || !Array.isArray(value.checks)) return null;
  return value as unknown as GateVerdict;
}

/** The run with its targets: numbers from the written summary, or counted live from the rows while it runs. */
export async function getRunDetail(deps: ProjectDeps, { runId }: { runId: string }): Promise<RunDetailOut> {
  const run = await findRun(deps.db, deps.caller.projectId, runId);
  const [targets, version, live, liveEvaluators] = await Promise.all([
    deps.db.evalTarget.findMany({ where: { runId }, orderBy: { position: "asc" } }),
    deps.db.datasetVersion.findFirst({
      where: { id: run.datasetVersionId, dataset: { projectId: deps.caller.projectId } },
      select: { id: true, version: true, dataset: { select: { id: true, name: true } } },
    }),
    deps.db.$queryRaw<LiveTargetRow[]>`
      SELECT target_id::text, count(*)::int AS results, count(error)::int AS errors,
             avg(score)::float8 AS mean, avg(passed::int)::float8 AS pass_rate,
             count(score)::int AS scored, count(*) FILTER (WHERE passed)::int AS passed_n,
             sum(cost_usd)::float8 AS cost,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms)::float8 AS p50,
             percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)::float8 AS p95
      FROM eval_results WHERE run_id = ${runId}::uuid GROUP BY target_id`,
    deps.db.$queryRaw<LiveEvaluatorRow[]>`
      SELECT r.target_id::text, s->>'name' AS name, count(*)::int AS n,
             avg((s->>'score')::float8)::float8 AS mean,
             avg(CASE WHEN (s->>'passed')::boolean THEN 1 ELSE 0 END)::float8 AS pass_rate
      FROM eval_results r,
           jsonb_array_elements(CASE WHEN jsonb_typeof(r.scores) = 'array' THEN r.scores ELSE '[]'::jsonb END) s
      WHERE r.run_id = ${runId}::uuid AND jsonb_typeof(s->'score') = 'number' AND s ? 'name'
      GROUP BY 1, 2`,
  ]);
  const liveByTarget = new Map(live.map((row) => [row.target_id, row]));
  const config = isRecord(run.config) ? run.config : {};
  const trials = num(config.trials) ?? 1;

  const summaries = targets.map((t) => (isRecord(t.summary) ? (t.summary as Partial<TargetSummary>) : null));
  const summarized = summaries.length > 0 && summaries.every((s) => s && summaryCell(s.overall));
  // Evaluator names: as the summaries list them, then any only the rows know (a run still going).
  const names: string[] = [];
  for (const s of summaries)
    for (const name of Object.keys(isRecord(s?.evaluators) ? s.evaluators : {})) names.push(name);
  for (const row of [...liveEvaluators].sort((x, y) => x.name.localeCompare(y.name))) names.push(row.name);
  const evaluators = [...new Set(names)];

  const outTargets = targets.map((t, i): RunTargetOut => {
    const s = summaries[i];
    const row = liveByTarget.get(t.id);
    const liveCell = (n: number, mean: number | null, passRate: number | null): MetricCell => ({
      n,
      mean,
      ci: null,
      passRate,
      passCi: null,
    });
    const evaluatorCells: Record<string, MetricCell> = {};
    for (const name of evaluators) {
      const fromSummary = summarized && isRecord(s?.evaluators) ? summaryCell(s.evaluators[name]) : null;
      const liveRow = liveEvaluators.find((e) => e.target_id === t.id && e.name === name);
      evaluatorCells[name] =
        fromSummary ?? liveCell(liveRow?.n ?? 0, liveRow?.mean ?? null, liveRow?.pass_rate ?? null);
    }
    return {
      id: t.id,
      position: t.position,
      label: t.label,
      promptVersionId: t.promptVersionId,
      modelVersionId: t.modelVersionId,
      model: t.model,
      params: isRecord(t.params) ? t.params : {},
      results: row?.results ?? 0,
      errors: row?.errors ?? 0,
      costUsd: row?.cost ?? 0,
      latencyP50Ms: (summarized ? num(s?.latencyP50Ms) : null) ?? row?.p50 ?? null,
      latencyP95Ms: (summarized ? num(s?.latencyP95Ms) : null) ?? row?.p95 ?? null,
      overall:
        (summarized ? summaryCell(s?.overall) : null) ??
        liveCell(row?.scored ?? 0, row?.mean ?? null, row?.results ? row.passed_n / row.results : null),
      evaluators: evaluatorCells,
      gate: gateOf(s?.gate),
    };
  });
  const runSummary = isRecord(run.summary) ? run.summary : {};
  return {
    id: run.id,
    name: run.name,
    status: run.status,
    error: run.error,
    dataset: version
      ? { datasetId: version.dataset.id, name: version.dataset.name, versionId: version.id, version: version.version }
      : null,
    datasetVersionId: run.datasetVersionId,
    baselineRunId: run.baselineRunId,
    trials,
    totalCases: run.totalCases,
    doneCases: run.doneCases,
    costUsd: run.costUsd,
    evalCostUsd: run.evalCostUsd,
    createdByLabel: run.createdByLabel,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    live: LIVE_STATUSES.includes(run.status),
    summarized: Boolean(summarized),
    evaluators,
    targets: outTargets,
    baselinePosition: num(runSummary.baselinePosition),
    gatePassed: typeof runSummary.gatePassed === "boolean" ? runSummary.gatePassed : null,
  };
}

interface ResultSqlRow {
  position: number;
  case_index: number;
  trial: number;
  input: unknown;
  expected: unknown;
  output: string | null;
  output_length: number | null;
  error: string | null;
  scores: unknown;
  score: number | null;
  passed: boolean | null;
  latency_ms: number | null;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  eval_cost_usd: number;
  request_id: string | null;
  created_at: Date;
}

/** `%`, `_` and `\` taken literally by ILIKE. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const SCORES = Prisma.sql`jsonb_array_elements(CASE WHEN jsonb_typeof(r.scores) = 'array' THEN r.scores ELSE '[]'::jsonb END)`;

/** A run's results, filtered, a page at a time (by target, case, trial). */
export async function listRunResults(deps: ProjectDeps, input: ListRunResultsInput) {
  await findRun(deps.db, deps.caller.projectId, input.runId);
  const where: Prisma.Sql[] = [Prisma.sql`r.run_id = ${input.runId}::uuid`];
  if (input.target !== undefined) where.push(Prisma.sql`t.position = ${input.target}`);
  if (input.failedOnly) where.push(Prisma.sql`r.passed IS NOT TRUE`);
  if (input.evaluator !== undefined) {
    const verdict =
      input.below !== undefined
        ? Prisma.sql`jsonb_typeof(s->'score') = 'number' AND (s->>'score')::float8 < ${input.below}`
        : Prisma.sql`(s->>'passed') IS DISTINCT FROM 'true'`;
    where.push(Prisma.sql`EXISTS (SELECT 1 FROM ${SCORES} s WHERE s->>'name' = ${input.evaluator} AND ${verdict})`);
  }
  if (input.search !== undefined) where.push(Prisma.sql`r.output ILIKE ${likePattern(input.search)}`);
  const condition = Prisma.join(where, " AND ");
  const [rows, [{ total }]] = await Promise.all([
    deps.db.$queryRaw<ResultSqlRow[]>`
      SELECT t.position, r.case_index, r.trial, r.input, r.expected, left(r.output, ${OUTPUT_MAX_CHARS}) AS output,
             length(r.output) AS output_length, r.error, r.scores, r.score, r.passed, r.latency_ms::float8 AS latency_ms,
             r.tokens_in, r.tokens_out, r.cost_usd, r.eval_cost_usd, r.request_id, r.created_at
      FROM eval_results r JOIN eval_targets t ON t.id = r.target_id
      WHERE ${condition}
      ORDER BY t.position, r.case_index, r.trial
      LIMIT ${input.pageSize} OFFSET ${(input.page - 1) * input.pageSize}`,
    deps.db.$queryRaw<{ total: number }[]>`
      SELECT count(*)::int AS total FROM eval_results r JOIN eval_targets t ON t.id = r.target_id WHERE ${condition}`,
  ]);
  return {
    items: rows.map(
      (r): ResultRowOut => ({
        targetPosition: r.position,
        caseIndex: r.case_index,
        trial: r.trial,
        inputPreview: inputPreview(r.input),
        input: r.input,
        expected: expectedText(r.expected),
        output: r.output,
        outputTruncated: (r.output_length ?? 0) > OUTPUT_MAX_CHARS,
        error: r.error,
        score: r.score,
        passed: r.passed,
        scores: parseScores(r.scores),
        latencyMs: r.latency_ms,
        tokensIn: r.tokens_in,
        tokensOut: r.tokens_out,
        costUsd: r.cost_usd,
        evalCostUsd: r.eval_cost_usd,
        requestId: r.request_id,
        createdAt: r.created_at,
      }),
    ),
    total,
    page: input.page,
    pageSize: input.pageSize,
  };
}
