// What the monitoring page shows of online evaluation: per rule over a range, the mean score and pass rate, a
// time series, and the split by model version and prompt version. Reads online_eval_scores only (index
// project_id, created_at), never the request log.
import type { z } from "zod";
import type { OnlineStats, onlineStatsInput } from "@/lib/evals/online";
import type { ProjectDeps } from "@/server/modules/deps";

/** Bucket sizes, in seconds: the smallest that gives at most ~60 points over the window. */
const BUCKETS = [60, 300, 900, 3_600, 6 * 3_600, 86_400];

function bucketFor(spanMs: number): number {
  return BUCKETS.find((b) => spanMs / 1000 / b <= 60) ?? 86_400;
}

interface AggregateRow {
  rule_id: string;
  key: string | null;
  n: bigint;
  mean: number | null;
  pass_rate: number | null;
  cost: number | null;
}

const AGGREGATES = `COUNT(*) AS n, AVG(score) AS mean, AVG(passed::int)::float8 AS pass_rate, SUM(cost_usd) AS cost`;
const WHERE = `project_id = $1::uuid AND created_at >= $2 AND created_at < $3 AND ($4::uuid IS NULL OR rule_id = $4::uuid)`;

export async function onlineEvalStats(
  deps: ProjectDeps,
  input: z.output<typeof onlineStatsInput>,
): Promise<OnlineStats> {
  const { db } = deps;
  const projectId = deps.caller.projectId;
  const { from, to } = input;
  const bucketSeconds = bucketFor(to.getTime() - from.getTime());
  const ruleId = input.ruleId ?? null;
  const rules = await db.onlineEvalRule.findMany({
    where: { projectId, ...(input.ruleId ? { id: input.ruleId } : {}) },
    orderBy: { createdAt: "asc" },
    select: { id: true, name: true, enabled: true, sampleRate: true, evaluatorVersionId: true },
  });
  const query = (key: string) =>
    db.$queryRawUnsafe<AggregateRow[]>(
      `SELECT rule_id, ${key} AS key, ${AGGREGATES} FROM online_eval_scores WHERE ${WHERE} GROUP BY rule_id, ${key}`,
      projectId,
      from,
      to,
      ruleId,
    );
  // Bucket starts as epoch milliseconds (text, like the other keys).
  const bucket = `(EXTRACT(EPOCH FROM date_bin('${bucketSeconds} seconds'::interval, created_at, TIMESTAMPTZ '2000-01-01')) * 1000)::bigint::text`;
  const [totals, series, byModel, byPrompt] = await Promise.all([
    query("NULL::text"),
    query(bucket),
    query("model_version_id::text"),
    query("prompt_version_id::text"),
  ]);
  const [modelLabels, promptLabels, evaluatorNames] = await Promise.all([
    modelVersionLabels(deps, byModel),
    promptVersionLabels(deps, byPrompt),
    db.evaluatorVersion.findMany({
      where: { id: { in: rules.map((r) => r.evaluatorVersionId) } },
      select: { id: true, version: true, evaluator: { select: { name: true } } },
    }),
  ]);
  const evaluatorOf = new Map(evaluatorNames.map((e) => [e.id, `${e.evaluator.name} v${e.version}`]));
  const aggregate = (r: AggregateRow | undefined) => ({
    n: Number(r?.n ?? 0),
    meanScore: r?.mean ?? null,
    passRate: r?.pass_rate ?? null,
  });
  const of = (rows: AggregateRow[], id: string) => rows.filter((r) => r.rule_id === id);
  return {
    from,
    to,
    bucketSeconds,
    rules: rules.map((rule) => {
      const total = of(totals, rule.id)[0];
      return {
        ruleId: rule.id,
        name: rule.name,
        enabled: rule.enabled,
        sampleRate: rule.sampleRate,
        evaluatorName: evaluatorOf.get(rule.evaluatorVersionId) ?? "",
        totals: { ...aggregate(total), costUsd: total?.cost ?? 0 },
        series: of(series, rule.id)
          .map((r) => ({ at: new Date(Number(r.key)), ...aggregate(r) }))
          .sort((a, b) => a.at.getTime() - b.at.getTime()),
        byModelVersion: of(byModel, rule.id).map((r) => ({
          id: r.key,
          label: r.key ? (modelLabels.get(r.key) ?? r.key) : "(none)",
          ...aggregate(r),
        })),
        byPromptVersion: of(byPrompt, rule.id).map((r) => ({
          id: r.key,
          label: r.key ? (promptLabels.get(r.key) ?? r.key) : "(no prompt)",
          ...aggregate(r),
        })),
      };
    }),
  };
}

async function modelVersionLabels(deps: ProjectDeps, rows: AggregateRow[]) {
  const ids = [...new Set(rows.map((r) => r.key).filter((k): k is string => k !== null))];
  if (ids.length === 0) return new Map<string, string>();
  const versions = await deps.db.modelVersion.findMany({
    where: { id: { in: ids } },
    select: { id: true, version: true, model: { select: { name: true } } },
  });
  return new Map(versions.map((v) => [v.id, `${v.model.name}@${v.version}`]));
}

async function promptVersionLabels(deps: ProjectDeps, rows: AggregateRow[]) {
  const ids = [...new Set(rows.map((r) => r.key).filter((k): k is string => k !== null))];
  if (ids.length === 0) return new Map<string, string>();
  const versions = await deps.db.promptVersion.findMany({
    where: { id: { in: ids } },
    select: { id: true, version: true, prompt: { select: { name: true } } },
  });
  return new Map(versions.map((v) => [v.id, `${v.prompt.name} v${v.version}`]));
}
