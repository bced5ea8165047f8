import type { ReactNode } from "react";
import { cn } from "@/components/ui";
import { type Change, changeOf } from "./units";

export interface StatCardProps {
  label: string;
  value: ReactNode;
  detail?: ReactNode;
  current?: number | null;
  previous?: number | null;
  /** Which way is worse: "up" for latency, errors; "down" for cache hits; none for plain volume. */
  worse?: "up" | "down";
  /** "previous 1 hour" */
  previousName: string;
}

function tone(change: Change, worse: StatCardProps["worse"]): string {
  if (!worse || change.direction === "flat" || change.direction === "new") return "text-muted-foreground";
  return change.direction === worse ? "text-danger" : "text-success";
}

/** A KPI with its change against the previous period of the same length. */
export function StatCard({ label, value, detail, current, previous, worse, previousName }: StatCardProps) {
  const change = changeOf(current, previous);
  return (
    <section
      aria-label={label}
      className="flex min-w-0 flex-col gap-1 rounded-lg border border-border bg-card px-4 py-3.5 text-card-foreground shadow-xs"
    >
      <p className="truncate font-medium text-muted-foreground text-xs">{label}</p>
      <p className="truncate font-semibold text-2xl tabular-nums leading-8 tracking-tight" data-testid="stat-value">
        {value}
      </p>
      {detail ? <p className="text-muted-foreground text-xs">{detail}</p> : null}
      {change ? (
        <p className="text-xs" data-testid="stat-change">
          <span className={cn("font-medium tabular-nums", tone(change, worse))}>{change.text}</span>{" "}
          <span className="text-muted-foreground">vs {previousName}</span>
        </p>
      ) : null}
    </section>
  );
}
