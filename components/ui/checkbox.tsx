import type { ComponentProps, ReactNode } from "react";
import { cn } from "./cn";

export interface CheckboxProps extends Omit<ComponentProps<"input">, "type"> {
  /** Optional inline label; when given, the checkbox and label are wrapped in a <label>. */
  label?: ReactNode;
  /** Optional muted text under the inline label. */
  description?: ReactNode;
}

const box =
  "size-4 shrink-0 cursor-pointer rounded-[4px] border-input accent-primary outline-offset-2 " +
  "focus-visible:outline-2 focus-visible:outline-ring disabled:cursor-not-allowed disabled:opacity-50";

export function Checkbox({ className, label, description, ...props }: CheckboxProps) {
  if (label == null) {
    return <input type="checkbox" className={cn(box, className)} {...props} />;
  }
  return (
    <label
      className={cn(
        "inline-flex items-start gap-2 text-sm text-foreground",
        props.disabled ? "cursor-not-allowed opacity-60" : "cursor-pointer",
        className,
      )}
    >
      <input type="checkbox" className={cn(box, "mt-0.5")} {...props} />
      <span className="flex flex-col gap-0.5">
        <span className="leading-5 font-medium">{label}</span>
        {description ? <span className="text-xs text-muted-foreground">{description}</span> : null}
      </span>
    </label>
  );
}
