import type { ReactNode } from "react";
import { cn } from "./cn";

export type ProgressTone = "primary" | "success" | "warning" | "danger";

const toneClass: Record<ProgressTone, string> = {
  primary: "bg-primary",
  success: "bg-success-solid",
  warning: "bg-warning-solid",
  danger: "bg-danger-solid",
};

export interface ProgressBarProps {
  /** 0..100 (clamped). */
  value: number;
  label?: ReactNode;
  /** Show the percentage next to the label (default true when a label is given). */
  showValue?: boolean;
  tone?: ProgressTone;
  className?: string;
}

export function ProgressBar({ value, label, showValue, tone = "primary", className }: ProgressBarProps) {
  const v = Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : 0;
  const rounded = Math.round(v);
  const withValue = showValue ?? label != null;
  const ariaLabel = typeof label === "string" ? label : "Progress";

  return (
    <div className={cn("flex flex-col gap-1.5", className)}>
      {label != null || withValue ? (
        <div className="flex items-center justify-between gap-2 text-xs">
          <span className="truncate font-medium text-foreground">{label}</span>
          {withValue ? <span className="text-muted-foreground tabular-nums">{rounded}%</span> : null}
        </div>
      ) : null}
      <div
        role="progressbar"
        aria-label={ariaLabel}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={rounded}
        className="h-1.5 w-full overflow-hidden rounded-full bg-muted"
      >
        <div
          className={cn("h-full rounded-full transition-[width] duration-300 ease-out", toneClass[tone])}
          style={{ width: `${v}%` }}
        />
      </div>
    </div>
  );
}
