import type { Metadata } from "next";
import { Suspense } from "react";
import { CompareView } from "@/components/eval-results/compare-view";
import { LoadingState } from "@/components/ui";

export const metadata: Metadata = { title: "Compare eval results" };

export default function CompareEvalsPage() {
  return (
    <Suspense fallback={<LoadingState />}>
      <CompareView />
    </Suspense>
  );
}
