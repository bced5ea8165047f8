// Units and rates of the monitoring dashboard: pure, so they are unit-tested.

/** A rate shown per second once it is at least this many per second; per minute below (0.004 req/s reads as noise). */
const PER_SECOND_FROM = 10;

export interface RateUnit {
  /** Multiplies a per-second rate. */
  factor: 1 | 60;
  /** "req/min", "tokens/s" */
  label: string;
}

/** Per minute unless the peak is high enough that per second reads better. */
export function rateUnit(peakPerSecond: number, noun: string): RateUnit {
  return peakPerSecond >= PER_SECOND_FROM ? { factor: 1, label: `${noun}/s` } : { factor: 60, label: `${noun}/min` };
}

/** Rates: three significant digits, never an exponent ("0.0500", "4.20", "1,230"). */
export function formatNumber(value: number): string {
  if (value === 0) return "0";
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString("en-US");
  return value.toLocaleString("en-US", { maximumSignificantDigits: 3, minimumSignificantDigits: 3 });
}

export function formatRate(perSecond: number, unit: RateUnit): string {
  return `${formatNumber(perSecond * unit.factor)} ${unit.label}`;
}

export const formatMs = (value: number | null | undefined) =>
  value == null ? "—" : `${value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString("en-US")} ms`;
export const formatPercent = (value: number | null | undefined) =>
  value == null ? "—" : `${(value * 100).toFixed(value > 0 && value < 0.001 ? 2 : 1)}%`;

/**
 * The part of a window that had traffic: from the start of the first step
 * with requests to the end of the last one. Rates over it say how busy the
 * service was while it was used, not diluted by the quiet rest of the range.
 */
export function activeSeconds(points: { t: Date | string; requests: number }[], stepSeconds: number): number {
  const active = points.filter((p) => p.requests > 0).map((p) => new Date(p.t).getTime());
  if (active.length === 0) return 0;
  return (Math.max(...active) - Math.min(...active)) / 1000 + stepSeconds;
}

export interface Change {
  /** ▲ / ▼ / = and the size: "▲ 12%", "▼ 3.4%", "new" (nothing before), "= 0%". */
  text: string;
  direction: "up" | "down" | "flat" | "new";
}

/** The change from the previous period's value to this one's; null when neither has a value. */
export function changeOf(current: number | null | undefined, previous: number | null | undefined): Change | null {
  if (current == null || previous == null) return null;
  if (previous === 0) return current === 0 ? { text: "= 0%", direction: "flat" } : { text: "new", direction: "new" };
  const ratio = (current - previous) / Math.abs(previous);
  const size = Math.abs(ratio) * 100;
  const shown = size >= 10 ? Math.round(size).toLocaleString("en-US") : size.toFixed(1);
  if (shown === "0.0") return { text: "= 0%", direction: "flat" };
  return ratio > 0 ? { text: `▲ ${shown}%`, direction: "up" } : { text: `▼ ${shown}%`, direction: "down" };
}

const sameDay = (a: Date, b: Date) => a.toDateString() === b.toDateString();
const clock = (d: Date, seconds: boolean) =>
  d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", ...(seconds ? { second: "2-digit" } : {}) });
const day = (d: Date) => d.toLocaleDateString("en-GB", { month: "short", day: "numeric" });

/** An axis tick: the time of day within two days, the date beyond. */
export function tickLabel(t: number, spanSeconds: number): string {
  const d = new Date(t);
  return spanSeconds > 2 * 86_400 ? day(d) : clock(d, false);
}

/** A tooltip's bucket: "6 Dec 14:05:00 – 14:06:00" (a step is [t, t + step)). */
export function bucketLabel(t: number, stepSeconds: number): string {
  const from = new Date(t);
  const to = new Date(t + stepSeconds * 1000);
  return `${day(from)} ${clock(from, true)} – ${sameDay(from, to) ? "" : `${day(to)} `}${clock(to, true)}`;
}

/** "15 minutes", "6 hours", "7 days" */
export function spanName(seconds: number): string {
  const [size, unit] =
    seconds >= 86_400
      ? [seconds / 86_400, "day"]
      : seconds >= 3600
        ? [seconds / 3600, "hour"]
        : [seconds / 60, "minute"];
  return `${formatNumber(size).replace(/\.0+$/, "")} ${unit}${size === 1 ? "" : "s"}`;
}
