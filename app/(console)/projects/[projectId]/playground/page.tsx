import type { Metadata } from "next";
import { Suspense } from "react";
import { Playground } from "@/components/playground/playground";
import { LoadingState } from "@/components/ui";

export const metadata: Metadata = { title: "Playground" };

export default function PlaygroundPage() {
  return (
    <Suspense fallback={<LoadingState label="Loading playground…" />}>
      <Playground />
    </Suspense>
  );
}
