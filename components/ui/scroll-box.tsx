import type { ReactNode } from "react";
import { cn } from "./cn";

/**
 * A box that scrolls sideways (a wide table on a phone). Keyboard users can focus it and scroll it with the
 * arrow keys, and screen readers hear it as a named region (axe: scrollable-region-focusable).
 */
export function ScrollBox({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <section
      aria-label={label}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it.
      tabIndex={0}
      className={cn("overflow-x-auto focus-visible:outline-2 focus-visible:outline-ring", className)}
    >
      {children}
    </section>
  );
}
