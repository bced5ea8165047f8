import type { ReactNode } from "react";
import { deniedReason } from "@/components/providers/use-project-access";

/** Why a write action is disabled for this user (the server refuses it too). */
export const READ_ONLY_REASON = deniedReason("viewer", "gateway:write");

/**
 * Holds the reason as a tooltip around a disabled control (a disabled button gets no pointer events, so its own
 * title would never show), and says it to screen readers.
 */
export function WhyDisabled({ reason, children }: { reason: string | null; children: ReactNode }) {
  if (!reason) return children;
  return (
    <span title={reason} className="inline-flex cursor-not-allowed">
      {children}
      <span className="sr-only">{reason}</span>
    </span>
  );
}
