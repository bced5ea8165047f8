import { LoaderCircle } from "lucide-react";
import { cn } from "./cn";

export interface SpinnerProps {
  className?: string;
  /** When set, the spinner is announced to screen readers (role="status"). Otherwise it is decorative. */
  label?: string;
}

export function Spinner({ className, label }: SpinnerProps) {
  const icon = (
    <LoaderCircle aria-hidden="true" data-slot="spinner" className={cn("size-4 shrink-0 animate-spin", className)} />
  );
  if (!label) return icon;
  return (
    <span role="status" className="inline-flex items-center">
      {icon}
      <span className="sr-only">{label}</span>
    </span>
  );
}
