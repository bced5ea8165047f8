import { z } from "zod";
import type { Db } from "@/server/db";
import type { ProjectDeps } from "@/server/modules/deps";
import { feedbackMeans, feedbackRates } from "@/server/modules/experiments/feedback-metric";
import { onlineEvalMeans, onlineEvalRates } from "@/server/modules/experiments/online-eval-metric";
import { loadExperiment, metricsOf } from "@/server/modules/experiments/service";
import { analyzeExperiment, experimentAnalysisSchema } from "@/server/modules/experiments/stats";

export const resultsOut = z.object({
  experimentId: z.string(),
  status: z.string(),
  variants: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      isControl: z.boolean(),
      weight: z.number(),
      units: z.number(),
      exposures: z.number(),
    }),
  ),
  /** Share of exposures assigned per request (no unit id): those are counted as their own units. */
  nonStickyShare: z.number(),
  metrics: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(["rate", "mean"]),
      higherIsBetter: z.boolean(),
      /**
       * outcomes: values posted to the experiment; feedback: the feedback score `feedbackName` of its requests;
       * online_eval: the scores rule `onlineEvalRule` gave a sample of its requests.
       */
      source: z.enum(["outcomes", "feedback", "online_eval"]),
      feedbackName: z.string().nullable(),
      onlineEvalRule: z.string().nullable(),
      analysis: experimentAnalysisSchema,
    }),
  ),
  /** Daily cumulative value of each metric per variant, for the charts. */
  series: z.array(
    z.object({ day: z.string(), metric: z.string(), variant: z.string(), value: z.number().nullable(), n: z.number() }),
  ),
});
export type ExperimentResults = z.infer<typeof resultsOut>;

// A unit is the caller's unit id, or for per-request assignment the request (or the exposure itself).
const UNIT = `COALESCE(unit_id, 'req:' || request_id, 'exp:' || id::text)`;

// An outcome counts only for a unit (or, without one, a request) exposed to its variant. recordOutcomes stores
// no others; this also leaves out rows stored before it checked. Each EXISTS is an index probe.
const exposure = (column: "unit_id" | "request_id") =>
  `EXISTS (SELECT 1 FROM experiment_exposures x WHERE x.experiment_id = o.experiment_id
     AND x.variant_id = o.variant_id AND x.${column} = o.${column})`;
const EXPOSED = `(o.unit_id IS NOT NULL AND ${exposure("unit_id")} OR o.unit_id IS NULL AND ${exposure("request_id")})`;

interface UnitRow {
  variant_id: string;
  units: bigint;
  exposures: bigint;
  non_sticky: bigint;
}
interface RateRow {
  variant_id: string;
  conversions: bigint;
}
interface MeanRow {
  variant_id: string;
  n: bigint;
  sum: number | null;
  sum_squares: number | null;
}

/**
 * Per variant: units (distinct), exposures, and for each metric the unit-level
 * aggregate the statistics need — a rate counts units with any positive
 * outcome among exposed units; a mean averages each unit's outcomes first, so
 * heavy users do not outweigh others; a feedback metric reads the feedback scores of the experiment's logged
 * requests instead (feedback-metric.ts). Then the statistics module does the rest.
 */
export async function experimentResults(deps: ProjectDeps, { id }: { id: string }): Promise<ExperimentResults> {
  const experiment = await loadExperiment(deps.db, deps.caller.projectId, id);
  const units = await deps.db.$queryRawUnsafe<UnitRow[]>(
    `SELECT variant_id, COUNT(DISTINCT ${UNIT}) AS units, COUNT(*) AS exposures, COUNT(*) FILTER (WHERE NOT sticky) AS non_sticky
       FROM experiment_exposures WHERE experiment_id = $1::uuid GROUP BY variant_id`,
    id,
  );
  const byVariant = new Map(units.map((u) => [u.variant_id, u]));
  const totalExposures = units.reduce((s, u) => s + Number(u.exposures), 0);
  const metrics = metricsOf(experiment.metrics);
  const control = experiment.variants.find((v) => v.isControl) ?? experiment.variants[0];
  const unitsOf = (variantId: string) => Number(byVariant.get(variantId)?.units ?? 0);
  const options = {
    alpha: 0.05,
    correction: "holm" as const,
    srmThreshold: 0.001,
    ...(experiment.sequential ? { sequential: {} } : {}),
  };
  const results: ExperimentResults["metrics"] = [];
  for (const metric of metrics) {
    const feedback =
      metric.source === "feedback"
        ? {
            projectId: deps.caller.projectId,
            experimentId: id,
            since: experiment.startedAt ?? experiment.createdAt,
            feedbackName: metric.feedbackName ?? metric.name,
          }
        : null;
    const online =
      metric.source === "online_eval"
        ? {
            projectId: deps.caller.projectId,
            experimentId: id,
            since: experiment.startedAt ?? experiment.createdAt,
            ruleName: metric.onlineEvalRule ?? metric.name,
          }
        : null;
    if (metric.kind === "rate") {
      const counts = feedback
        ? await feedbackRates(deps.db, feedback)
        : online
          ? await onlineEvalRates(deps.db, online)
          : await outcomeRates(deps.db, id, metric.name);
      results.push({
        ...metric,
        analysis: analyzeExperiment({
          metric: "rate",
          controlKey: control.key,
          variants: experiment.variants.map((v) => {
            const units = unitsOf(v.id);
            // Outcome rates are out of every exposed unit; feedback (online) rates out of the units rated (scored).
            const n = feedback || online ? Math.min(counts.get(v.id)?.n ?? 0, units) : units;
            return {
              key: v.key,
              weight: v.weight,
              units,
              n,
              conversions: Math.min(counts.get(v.id)?.conversions ?? 0, n),
            };
          }),
          options,
        }),
      });
    } else {
      const aggregates = feedback
        ? await feedbackMeans(deps.db, feedback)
        : online
          ? await onlineEvalMeans(deps.db, online)
          : await outcomeMeans(deps.db, id, metric.name);
      results.push({
        ...metric,
        analysis: analyzeExperiment({
          metric: "mean",
          controlKey: control.key,
          variants: experiment.variants.map((v) => {
            const a = aggregates.get(v.id);
            return {
              key: v.key,
              weight: v.weight,
              units: unitsOf(v.id),
              n: a?.n ?? 0,
              sum: a?.sum ?? 0,
              sumSquares: a?.sumSquares ?? 0,
            };
          }),
          options,
        }),
      });
    }
  }
  const series = await dailySeries(
    deps.db,
    id,
    metrics.filter((m) => m.source === "outcomes"),
  );
  const keyOf = new Map(experiment.variants.map((v) => [v.id, v.key]));
  return {
    experimentId: id,
    status: experiment.status,
    variants: experiment.variants.map((v) => ({
      key: v.key,
      name: v.name,
      isControl: v.id === control.id,
      weight: v.weight,
      units: Number(byVariant.get(v.id)?.units ?? 0),
      exposures: Number(byVariant.get(v.id)?.exposures ?? 0),
    })),
    nonStickyShare: totalExposures ? units.reduce((s, u) => s + Number(u.non_sticky), 0) / totalExposures : 0,
    metrics: results,
    series: series.map((s) => ({ ...s, variant: keyOf.get(s.variant) ?? s.variant })),
  };
}

/** Units (of the exposed ones) with any positive outcome of this metric. */
async function outcomeRates(db: Db, id: string, metric: string) {
  const rows = await db.$queryRawUnsafe<RateRow[]>(
    `SELECT variant_id, COUNT(DISTINCT ${UNIT}) AS conversions FROM experiment_outcomes o
      WHERE experiment_id = $1::uuid AND metric = $2 AND value > 0 AND ${EXPOSED} GROUP BY variant_id`,
    id,
    metric,
  );
  return new Map(rows.map((r) => [r.variant_id, { n: null, conversions: Number(r.conversions) }]));
}

/** Each unit's outcomes averaged first, so heavy users do not outweigh others. */
async function outcomeMeans(db: Db, id: string, metric: string) {
  const rows = await db.$queryRawUnsafe<MeanRow[]>(
    `SELECT variant_id, COUNT(*) AS n, SUM(v) AS sum, SUM(v * v) AS sum_squares FROM (
        SELECT variant_id, ${UNIT} AS unit, AVG(value) AS v FROM experiment_outcomes o
         WHERE experiment_id = $1::uuid AND metric = $2 AND ${EXPOSED} GROUP BY variant_id, unit) per_unit
      GROUP BY variant_id`,
    id,
    metric,
  );
  return new Map(rows.map((r) => [r.variant_id, { n: Number(r.n), sum: r.sum ?? 0, sumSquares: r.sum_squares ?? 0 }]));
}

/** Cumulative hourly mean of each metric's outcome values per variant. */
async function dailySeries(db: Db, id: string, metrics: { name: string }[]) {
  if (metrics.length === 0) return [];
  const rows = await db.$queryRawUnsafe<{ day: Date; metric: string; variant_id: string; n: bigint; sum: number }[]>(
    `SELECT date_trunc('hour', created_at) AS day, metric, variant_id, COUNT(*) AS n, SUM(value) AS sum
       FROM experiment_outcomes o WHERE experiment_id = $1::uuid AND ${EXPOSED} GROUP BY 1, 2, 3 ORDER BY 1`,
    id,
  );
  const running = new Map<string, { n: number; sum: number }>();
  return rows.map((r) => {
    const key = `${r.metric}\u0000${r.variant_id}`;
    const acc = running.get(key) ?? { n: 0, sum: 0 };
    acc.n += Number(r.n);
    acc.sum += Number(r.sum);
    running.set(key, acc);
    return {
      day: `${r.day.toISOString().slice(5, 13).replace("T", " ")}:00`,
      metric: r.metric,
      variant: r.variant_id,
      value: acc.n ? acc.sum / acc.n : null,
      n: acc.n,
    };
  });
}
