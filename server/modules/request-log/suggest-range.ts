// The range the monitoring dashboard opens on, from where the project's
// traffic is (lib/monitoring-ranges.ts has the rule).
import { chooseRange, RANGE_NAMES, RANGE_PRESETS, type RangePreset } from "@/lib/monitoring-ranges";
import type { RequestLogDeps } from "./queryable";

export interface RangeSuggestion {
  range: RangePreset;
  /** Requests in each preset's window ending now (whole minutes up to a day, whole hours beyond). */
  counts: Record<RangePreset, number>;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * Counts each preset's requests from the rollups' "total" series: at most a
 * day of minute rows and 30 days of hour rows for one project, both read by
 * their primary key.
 */
export async function suggestRange(
  deps: RequestLogDeps,
  input: { projectId: string; now?: Date },
): Promise<RangeSuggestion> {
  const now = (input.now ?? new Date()).getTime();
  const minuteStart = (seconds: number) => new Date(Math.floor((now - seconds * 1000) / MINUTE_MS) * MINUTE_MS);
  const hourStart = (seconds: number) => new Date(Math.floor((now - seconds * 1000) / HOUR_MS) * HOUR_MS);
  const short: RangePreset[] = RANGE_NAMES.filter((name) => RANGE_PRESETS[name] <= 86_400);
  const long: RangePreset[] = RANGE_NAMES.filter((name) => RANGE_PRESETS[name] > 86_400);
  // $2 bounds the scan (the longest window of the table); $3... are the windows, in preset order.
  const countsOf = (table: string, names: RangePreset[], startOf: (seconds: number) => Date) => {
    const starts = names.map((name) => startOf(RANGE_PRESETS[name]));
    const columns = names.map(
      (name, i) => `coalesce(sum(requests) FILTER (WHERE bucket_start >= $${i + 3}), 0)::float8 AS "${name}"`,
    );
    return deps.pool.query<Record<string, number>>(
      `SELECT ${columns.join(", ")} FROM ${table}
WHERE project_id = $1 AND dimension = 'total' AND bucket_start >= $2`,
      [input.projectId, starts[starts.length - 1], ...starts],
    );
  };
  const [minutes, hours] = await Promise.all([
    countsOf("request_log_minute", short, minuteStart),
    countsOf("request_log_hour", long, hourStart),
  ]);
  const counts = { ...minutes.rows[0], ...hours.rows[0] } as Record<RangePreset, number>;
  return { range: chooseRange(counts), counts };
}
