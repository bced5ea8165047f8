import type { Metadata } from "next";
import { Suspense } from "react";
import { MonitoringLinks } from "@/components/monitoring/explorer/monitoring-links";
import { RequestExplorer } from "@/components/monitoring/request-explorer";
import { LoadingState, PageHeader } from "@/components/ui";

export const metadata: Metadata = { title: "Requests" };

export default function RequestsPage() {
  return (
    <>
      <PageHeader
        title="Requests"
        description="Every gateway request, to the second: filter, search the stored bodies, open one to see its transcript and give feedback. The filters live in the URL: share it."
      />
      <MonitoringLinks />
      <Suspense fallback={<LoadingState />}>
        <RequestExplorer />
      </Suspense>
    </>
  );
}
