import type { ComponentProps } from "react";
import { cn } from "./cn";
import { controlStyles } from "./input";

export type SelectProps = ComponentProps<"select">;

/** Native <select>, styled. Pass <option> children. */
export function Select({ className, children, ...props }: SelectProps) {
  return (
    <select
      className={cn(
        controlStyles,
        "h-8 appearance-none bg-(image:--chevron-down) bg-size-[1rem] bg-position-[right_0.5rem_center] bg-no-repeat py-1 pr-8 pl-2.5",
        "[&[multiple]]:h-auto [&[multiple]]:bg-none [&[multiple]]:px-1.5",
        className,
      )}
      {...props}
    >
      {children}
    </select>
  );
}
