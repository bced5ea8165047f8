import type { ComponentProps } from "react";
import { cn } from "./cn";
import { controlStyles } from "./input";

export type TextareaProps = ComponentProps<"textarea">;

export function Textarea({ className, rows = 4, ...props }: TextareaProps) {
  return (
    <textarea
      rows={rows}
      className={cn(controlStyles, "min-h-16 resize-y px-2.5 py-1.5 leading-5", className)}
      {...props}
    />
  );
}
