// Time ranges of the monitoring dashboard, shared by the console (the range
// picker, `?range=` in the URL) and the server (the range it suggests).

/** The ranges the dashboard offers, in seconds, shortest first. */
export const RANGE_PRESETS = {
  "15m": 15 * 60,
  "1h": 3600,
  "6h": 6 * 3600,
  "24h": 86_400,
  "7d": 7 * 86_400,
  "30d": 30 * 86_400,
} as const;
export type RangePreset = keyof typeof RANGE_PRESETS;
export const RANGE_NAMES = ["15m", "1h", "6h", "24h", "7d", "30d"] as const satisfies readonly RangePreset[];

/** Shown when there is no traffic at all: the usual day view. */
const FALLBACK_RANGE: RangePreset = "24h";
/** Share of the last day's requests the chosen range must hold. */
const COVERAGE = 0.9;

export function isRangePreset(value: unknown): value is RangePreset {
  return typeof value === "string" && Object.hasOwn(RANGE_PRESETS, value);
}

/**
 * The range a dashboard opens on, from the requests counted in each preset's
 * window ending now: the shortest window that holds nearly all (90 %) of the
 * last day's requests, so a burst of fresh traffic fills the chart instead of
 * being a one-pixel spike at the edge of a day; steady traffic gets the day.
 * Without traffic in the last day, the shortest longer window that has any.
 */
export function chooseRange(counts: Record<RangePreset, number>): RangePreset {
  const day = counts["24h"];
  if (day > 0) {
    return (["15m", "1h", "6h", "24h"] as const).find((name) => counts[name] >= COVERAGE * day) ?? "24h";
  }
  return (["7d", "30d"] as const).find((name) => counts[name] > 0) ?? FALLBACK_RANGE;
}
