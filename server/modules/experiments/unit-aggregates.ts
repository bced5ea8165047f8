import type { Db } from "@/server/db";

/**
 * Per-variant aggregates over a per-unit subquery (`variant_id, unit, mean, positive`: one row per unit), shared by
 * the metric sources that score requests after the fact (feedback, online evaluation). A rate counts a unit as
 * converted when `positive`, out of the units the subquery holds; a mean gives the moments of the units' means.
 */
export async function unitRates(db: Db, perUnit: string, params: unknown[]) {
  const rows = await db.$queryRawUnsafe<{ variant_id: string; n: bigint; conversions: bigint }[]>(
    `SELECT variant_id, COUNT(*) AS n, COUNT(*) FILTER (WHERE positive) AS conversions FROM (${perUnit}) per_unit
      GROUP BY variant_id`,
    ...params,
  );
  return new Map(rows.map((r) => [r.variant_id, { n: Number(r.n), conversions: Number(r.conversions) }]));
}

export async function unitMeans(db: Db, perUnit: string, params: unknown[]) {
  const rows = await db.$queryRawUnsafe<{ variant_id: string; n: bigint; sum: number; sum_squares: number }[]>(
    `SELECT variant_id, COUNT(*) AS n, SUM(mean) AS sum, SUM(mean * mean) AS sum_squares FROM (${perUnit}) per_unit
      GROUP BY variant_id`,
    ...params,
  );
  return new Map(rows.map((r) => [r.variant_id, { n: Number(r.n), sum: r.sum, sumSquares: r.sum_squares }]));
}
