"use client";

import type { ReactNode } from "react";
import { deniedReason, useProjectAccess } from "@/components/providers/use-project-access";

/** Why a viewer's write action is disabled: shown as the tooltip, and read out with the button. */
const VIEWER_REASON = deniedReason("viewer", "datasets:write");

/** Whether the caller may change datasets, and the reason to show on disabled actions when not. */
export function useDatasetWrite() {
  const { can, isLoading } = useProjectAccess();
  const allowed = can("datasets:write");
  return { allowed, loading: isLoading, reason: allowed ? undefined : VIEWER_REASON };
}

/**
 * A disabled control shows no tooltip of its own (disabled buttons take no pointer events), so the reason
 * sits on a wrapper; enabled controls are returned as they are.
 */
export function WriteGuard({ reason, children }: { reason?: string; children: ReactNode }) {
  if (!reason) return <>{children}</>;
  return (
    <span title={reason} className="inline-flex cursor-not-allowed">
      {children}
    </span>
  );
}
