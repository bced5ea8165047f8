import type { ReactNode } from "react";
import { cn } from "./cn";

export interface StatProps {
  label: ReactNode;
  value: ReactNode;
  hint?: ReactNode;
  className?: string;
}

/** Small KPI tile. */
export function Stat({ label, value, hint, className }: StatProps) {
  return (
    <div
      className={cn(
        "flex flex-col gap-1 rounded-lg border border-border bg-card px-4 py-3.5 text-card-foreground shadow-xs",
        className,
      )}
    >
      <p className="truncate text-xs font-medium text-muted-foreground">{label}</p>
      <p className="text-2xl leading-8 font-semibold tracking-tight tabular-nums">{value}</p>
      {hint ? <p className="truncate text-xs text-muted-foreground">{hint}</p> : null}
    </div>
  );
}
