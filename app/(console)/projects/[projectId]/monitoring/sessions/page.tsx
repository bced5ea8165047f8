import type { Metadata } from "next";
import { Suspense } from "react";
import { MonitoringLinks } from "@/components/monitoring/explorer/monitoring-links";
import { SessionList } from "@/components/monitoring/sessions/session-list";
import { LoadingState, PageHeader } from "@/components/ui";

export const metadata: Metadata = { title: "Sessions" };

export default function SessionsPage() {
  return (
    <>
      <PageHeader
        title="Sessions"
        description="Requests that share an x-switchyard-session header, or a user when they carry no session: counts, cost, first and last seen."
      />
      <MonitoringLinks />
      <Suspense fallback={<LoadingState />}>
        <SessionList />
      </Suspense>
    </>
  );
}
