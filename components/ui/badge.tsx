import type { ComponentProps } from "react";
import { cn } from "./cn";

export type BadgeTone = "neutral" | "success" | "warning" | "danger" | "info" | "accent";

const tones: Record<BadgeTone, { badge: string; dot: string }> = {
  neutral: { badge: "bg-muted text-muted-foreground ring-border", dot: "bg-muted-foreground" },
  success: { badge: "bg-success-soft text-success ring-success/25", dot: "bg-success" },
  warning: { badge: "bg-warning-soft text-warning ring-warning/25", dot: "bg-warning" },
  danger: { badge: "bg-danger-soft text-danger ring-danger/25", dot: "bg-danger" },
  info: { badge: "bg-info-soft text-info ring-info/25", dot: "bg-info" },
  accent: { badge: "bg-accent-soft text-accent-foreground ring-accent/25", dot: "bg-accent" },
};

export interface BadgeProps extends ComponentProps<"span"> {
  tone?: BadgeTone;
  /** Leading status dot. */
  dot?: boolean;
}

export function Badge({ tone = "neutral", dot = false, className, children, ...props }: BadgeProps) {
  const t = tones[tone];
  return (
    <span
      className={cn(
        "inline-flex h-5 shrink-0 items-center gap-1.5 rounded-md px-1.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset [&_svg]:size-3",
        t.badge,
        className,
      )}
      {...props}
    >
      {dot ? <span aria-hidden="true" className={cn("size-1.5 rounded-full", t.dot)} /> : null}
      {children}
    </span>
  );
}
