import { Badge, type BadgeTone, ProgressBar } from "@/components/ui";
import type { RolloutStatus } from "@/lib/rollouts/schemas";

const STATUS_TONE: Record<RolloutStatus, BadgeTone> = {
  running: "info",
  paused: "warning",
  promoted: "success",
  rolled_back: "danger",
  aborted: "neutral",
};

export function RolloutStatusBadge({ status }: { status: RolloutStatus }) {
  return (
    <Badge tone={STATUS_TONE[status]} dot>
      {status.replace("_", " ")}
    </Badge>
  );
}

/** The candidate's share now, and how far through the steps the rollout is. */
export function StepProgress({
  percent,
  step,
  steps,
  status,
}: {
  percent: number;
  step: number;
  steps: number;
  status: RolloutStatus;
}) {
  const tone = status === "rolled_back" ? "danger" : status === "promoted" ? "success" : "primary";
  const label = status === "promoted" ? "done" : `step ${step + 1} of ${steps}`;
  return (
    <div className="min-w-36">
      <ProgressBar value={percent} tone={tone} label={`${percent} % to candidate`} showValue={false} />
      <div className="mt-1 text-muted-foreground text-xs">{label}</div>
    </div>
  );
}

export const formatRate = (value: number | null | undefined) =>
  value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)} %`;
export const formatMs = (value: number | null | undefined) =>
  value === null || value === undefined ? "—" : `${Math.round(value)} ms`;
export const formatUsd = (value: number | null | undefined) =>
  value === null || value === undefined ? "—" : `$${value.toPrecision(3)}`;
export const formatMean = (value: number | null | undefined) =>
  value === null || value === undefined ? "—" : value.toFixed(2);
