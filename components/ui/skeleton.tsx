import { cn } from "./cn";

export interface SkeletonProps {
  className?: string;
}

/** Pulsing placeholder block. Size it with className (e.g. "h-4 w-32"). */
export function Skeleton({ className }: SkeletonProps) {
  return <div aria-hidden="true" className={cn("rounded-md bg-muted motion-safe:animate-pulse", className)} />;
}
