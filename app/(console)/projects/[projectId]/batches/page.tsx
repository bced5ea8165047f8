import type { Metadata } from "next";
import { Suspense } from "react";
import { BatchesPage } from "@/components/batches/batches-page";
import { LoadingState } from "@/components/ui";

export const metadata: Metadata = { title: "Batches" };

export default function Page() {
  return (
    <Suspense fallback={<LoadingState />}>
      <BatchesPage />
    </Suspense>
  );
}
