import type { ComponentProps } from "react";
import { cn } from "./cn";

export type LabelProps = ComponentProps<"label">;

/** Form label. Always pass htmlFor (or wrap the control). */
export function Label({ className, children, ...props }: LabelProps) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: generic label; callers pass htmlFor
    <label className={cn("text-sm leading-5 font-medium text-foreground", className)} {...props}>
      {children}
    </label>
  );
}
