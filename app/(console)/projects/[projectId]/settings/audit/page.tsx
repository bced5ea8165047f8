import type { Metadata } from "next";
import { Suspense } from "react";
import { AuditPanel } from "@/components/settings/audit-panel";

export const metadata: Metadata = { title: "Audit log" };
export default function AuditPage() {
  // The filters live in the URL (useSearchParams), which needs a Suspense boundary.
  return (
    <Suspense>
      <AuditPanel />
    </Suspense>
  );
}
