import type { Metadata } from "next";
import { Suspense } from "react";
import { JobsPage } from "@/components/jobs/jobs-page";
import { LoadingState } from "@/components/ui";

export const metadata: Metadata = { title: "Jobs" };

export default function Page() {
  return (
    <Suspense fallback={<LoadingState />}>
      <JobsPage />
    </Suspense>
  );
}
