import { Badge, type BadgeTone } from "@/components/ui";
import type { MetricCell } from "@/lib/evals/compare";

const STATUS_TONES: Record<string, BadgeTone> = {
  queued: "neutral",
  running: "info",
  completed: "success",
  failed: "danger",
  cancelled: "warning",
};

export function RunStatusBadge({ status }: { status: string }) {
  return (
    <Badge tone={STATUS_TONES[status] ?? "neutral"} dot>
      {status}
    </Badge>
  );
}

export const pct = (x: number | null | undefined, digits = 1) =>
  x === null || x === undefined ? "—" : `${(x * 100).toFixed(digits)}%`;
export const score = (x: number | null | undefined) => (x === null || x === undefined ? "—" : x.toFixed(3));
export const signedScore = (x: number | null | undefined) =>
  x === null || x === undefined ? "—" : `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(3)}`;

/**
 * A value on a 0..1 scale with its 95 % interval as a small bar: the band is the interval, the tick the estimate.
 * Without an interval (a run still going) only the tick shows.
 */
function CiBar({ value, ci, label }: { value: number | null; ci: [number, number] | null; label: string }) {
  if (value === null) return null;
  const clamp = (x: number) => Math.min(100, Math.max(0, x * 100));
  return (
    <div
      role="img"
      aria-label={
        ci
          ? `${label}: ${value.toFixed(3)}, 95% CI ${ci[0].toFixed(3)} to ${ci[1].toFixed(3)}`
          : `${label}: ${value.toFixed(3)}`
      }
      className="relative h-1.5 w-full max-w-32 shrink-0 rounded-full bg-muted"
    >
      {ci && (
        <div
          className="absolute inset-y-0 rounded-full bg-primary/35"
          style={{ left: `${clamp(ci[0])}%`, width: `${Math.max(clamp(ci[1]) - clamp(ci[0]), 1)}%` }}
        />
      )}
      <div
        className="absolute -inset-y-0.5 w-0.5 rounded-full bg-primary"
        style={{ left: `calc(${clamp(value)}% - 1px)` }}
      />
    </div>
  );
}

/** "0.812 ± 0.041" with the bar; the pass rate likewise in percent. */
export function MetricCellView({ cell, label }: { cell: MetricCell; label: string }) {
  const half = (ci: [number, number] | null, mean: number | null) =>
    ci && mean !== null ? Math.max(mean - ci[0], ci[1] - mean) : null;
  const meanHalf = half(cell.ci, cell.mean);
  const passHalf = half(cell.passCi, cell.passRate);
  if (cell.n === 0) return <span className="text-muted-foreground text-xs">no scores yet</span>;
  return (
    <div className="flex min-w-[8.5rem] flex-col gap-1 text-xs tabular-nums">
      <span className="whitespace-nowrap">
        <span className="font-medium text-sm">{score(cell.mean)}</span>
        {meanHalf !== null && <span className="text-muted-foreground"> ± {meanHalf.toFixed(3)}</span>}
      </span>
      <CiBar value={cell.mean} ci={cell.ci} label={`${label} mean`} />
      <span className="mt-1 whitespace-nowrap">
        {pct(cell.passRate)} pass
        {passHalf !== null && <span className="text-muted-foreground"> ± {pct(passHalf)}</span>}
      </span>
      <CiBar value={cell.passRate} ci={cell.passCi} label={`${label} pass rate`} />
      <span className="text-muted-foreground">n = {cell.n.toLocaleString("en-US")}</span>
    </div>
  );
}

/** Where the request explorer shows a result's request: the minute around it (the explorer has no id filter). */
export function requestHref(projectId: string, createdAt: Date): string {
  const query = new URLSearchParams({
    from: new Date(createdAt.getTime() - 5 * 60_000).toISOString(),
    to: new Date(createdAt.getTime() + 60_000).toISOString(),
  });
  return `/projects/${projectId}/monitoring/requests?${query}`;
}
