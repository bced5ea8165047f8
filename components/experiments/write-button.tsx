"use client";

import { deniedReason } from "@/components/providers/use-project-access";
import { Button } from "@/components/ui";
import type { ButtonProps } from "@/components/ui/button";

/**
 * A write action: for someone without the scope it stays visible but disabled, and hovering or focusing it
 * says why (a disabled button gets no pointer events, so the reason sits on a wrapper that does).
 */
export function WriteButton({ allowed, reason, ...props }: ButtonProps & { allowed: boolean; reason: string }) {
  if (allowed) return <Button {...props} />;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: keyboard users reach the reason the disabled button cannot show
    <span title={reason} tabIndex={0} className="inline-flex rounded-md outline-offset-2 focus-visible:outline-2">
      <Button {...props} disabled aria-disabled onClick={undefined} />
    </span>
  );
}

export const VIEWER_REASON = deniedReason("viewer", "experiments:write");
