import type { ComponentProps } from "react";
import { cn } from "./cn";

/** Shared look for text-like controls (Input, Textarea, Select). */
export const controlStyles =
  "w-full min-w-0 rounded-md border border-input bg-card text-sm text-foreground shadow-xs " +
  "transition-[color,border-color,box-shadow] duration-100 outline-hidden " +
  "placeholder:text-muted-foreground/80 " +
  "hover:border-border-strong focus-visible:border-ring focus-visible:ring-3 focus-visible:ring-ring/20 " +
  "disabled:cursor-not-allowed disabled:bg-muted disabled:opacity-60 [&[readonly]]:bg-subtle " +
  "aria-[invalid=true]:border-danger aria-[invalid=true]:focus-visible:ring-danger/20";

export type InputProps = ComponentProps<"input">;

export function Input({ className, type = "text", ...props }: InputProps) {
  return (
    <input
      type={type}
      className={cn(
        controlStyles,
        "h-8 px-2.5 py-1",
        "file:mr-2 file:border-0 file:bg-transparent file:text-sm file:font-medium file:text-foreground",
        className,
      )}
      {...props}
    />
  );
}
